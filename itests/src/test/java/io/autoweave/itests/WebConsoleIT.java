package io.autoweave.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.net.CookieManager;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.osgi.framework.ServiceReference;

import io.autoweave.plugin.installer.testing.TestSigning;

/**
 * The AutoWeave pages of the Felix Web Console in a real headless chromium against the real runtime: login, a
 * simulated device appearing live (no reload), a signed plugin installed by upload and an unsigned one refused with
 * the reason, block and unblock, the audit entries of all that; escaping of device strings; CSRF refusals.
 */
public class WebConsoleIT {

    private static final String TRUST_PASSWORD = "itest-trust-pw";
    private static final Path WORK = PluginInstallITSupport.tempDir("autoweave-console-it");
    private static final TestSigning.Credentials CA = TestSigning.newCa("AutoWeave ITest Console CA");
    private static final TestSigning.Credentials SIGNER = TestSigning.issue(CA, "ITest Console Signer");
    private static final Path TRUST = TestSigning.trustStore(WORK.resolve("plugins-truststore.p12"),
            TRUST_PASSWORD.toCharArray(), CA.certificate());

    private static final String STORAGE_BSN = "io.autoweave.sample.storage.watcher";
    private static final Path HID_UNSIGNED = Path.of(System.getProperty("sample.hid-logger"));
    private static final Path STORAGE = TestSigning.sign(Path.of(System.getProperty("sample.storage-watcher")),
            WORK.resolve("storage-watcher.jar"), SIGNER);

    private static final String HID_BSN = "io.autoweave.sample.hid.logger";
    /** A local repository holding the signed HID logger, indexed by bnd's indexer. */
    private static final Path REPOSITORY = repository();

    @ClassRule
    public static final RuntimeHarness RUNTIME = new RuntimeHarness().config("io.autoweave.plugin.installer.cfg",
            "trust.store.path=" + TRUST + "\n.trust.store.password=" + TRUST_PASSWORD + "\nrepositories=" + REPOSITORY
                    + "\n");

    private static Path repository() {
        try {
            Path dir = Files.createDirectories(WORK.resolve("repository"));
            Path jar = TestSigning.sign(HID_UNSIGNED, dir.resolve("hid-logger.jar"), SIGNER);
            new aQute.bnd.osgi.repository.SimpleIndexer().files(List.of(jar.toFile())).base(dir.toUri())
                    .name("console-itest").index(dir.resolve("index.xml").toFile());
            return dir;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static Browser browser;

    @BeforeClass
    public static void consoleUpAndBrowserLoggedIn() throws Exception {
        RuntimeHarness.await("the console's AutoWeave pages", 60, () -> {
            try {
                return Set.of("aw-devices", "aw-plugins", "aw-security").stream().allMatch(label -> {
                    try {
                        return RUNTIME.get("/system/console/" + label, "admin", RuntimeHarness.ADMIN_PASSWORD)
                                .status() == 200;
                    } catch (Exception e) {
                        return false;
                    }
                });
            } catch (RuntimeException e) {
                return false;
            }
        });
        RuntimeHarness.await("the installer configured with the test trust store", 30, () -> {
            ServiceReference<?> r = RUNTIME.context()
                    .getServiceReference("io.autoweave.plugin.installer.PluginInstaller");
            return r != null && TRUST.toString().equals(r.getProperty("trust.store.path"));
        });
        browser = new Browser();
        browser.login("admin", RuntimeHarness.ADMIN_PASSWORD);
    }

    @AfterClass
    public static void closeBrowser() throws Exception {
        if (browser != null) {
            browser.close();
        }
    }

    private static String page(String label) {
        return RUNTIME.baseUrl() + "/system/console/" + label;
    }

    private static Object js(String script) {
        return browser.driver.executeScript(script);
    }

    private static void openLive(String url) {
        browser.driver.get(url);
        browser.waiting(20).until(ExpectedConditions.textToBe(By.id("aw-live"), "Live updates: on"));
    }

    /** The device rows' text, read in one step: the live table may be replaced at any moment. */
    @SuppressWarnings("unchecked")
    private static List<String> deviceRows() {
        return (List<String>) js("return Array.from(document.querySelectorAll('#aw-devices-body tr.aw-device'))"
                + ".map(function(r){ return r.innerText; });");
    }

    // ---- login ----------------------------------------------------------------------------------------------------

    @Test
    public void thePagesNeedTheConsoleLogin() throws Exception {
        for (String label : List.of("aw-devices", "aw-plugins", "aw-security", "aw-devices/events",
                "aw-devices/table")) {
            assertEquals(label, 401, RuntimeHarness.http(page(label), null, null).status());
            assertEquals(label, 401, RuntimeHarness.http(page(label), "admin", "wrong-password").status());
        }
        browser.driver.get(page("aw-security"));
        assertTrue(browser.driver.getTitle(), browser.driver.getTitle().contains("Security"));
        List<String> menu = browser.driver.findElements(By.cssSelector("#navmenu a")).stream()
                .map(e -> e.getAttribute("textContent").trim()).collect(Collectors.toList());
        assertTrue("the AutoWeave category with its three pages is in the console menu: " + menu,
                menu.containsAll(List.of("AutoWeave", "USB devices", "Plugins", "Security")));
    }

    // ---- USB devices ------------------------------------------------------------------------------------------

    @Test
    public void aSimulatedDeviceAppearsLiveWithoutReloadAndLeavesOnDetach() throws Exception {
        openLive(page("aw-devices"));
        js("window.awSamePage = 'yes';");
        try (Gogo gogo = new Gogo(RUNTIME.context())) {
            gogo.run("aw:simulate attach 1d50:6089 CONSOLE-LIVE-1 7-1");
            browser.waiting(15).until(d -> deviceRows().stream().anyMatch(r -> r.contains("CONSOLE-LIVE-1")));
            assertEquals("the page was updated in place, not reloaded", "yes", js("return window.awSamePage;"));
            String events = browser.driver.findElement(By.id("aw-events-body")).getText();
            assertTrue(events, events.contains("ATTACH") && events.contains("CONSOLE-LIVE-1"));
            browser.screenshot("console-devices");

            // details of the device, from its row
            js("window.awOldPage = true; Array.from(document.querySelectorAll('#aw-devices-body tr.aw-device'))"
                    + ".find(function(r){ return r.innerText.indexOf('CONSOLE-LIVE-1') >= 0; })"
                    + ".querySelector('a').click();");
            awaitNextPage();
            String details = browser.driver.findElement(By.id("aw-device-details")).getText();
            assertTrue(details, details.contains("CONSOLE-LIVE-1") && details.contains("1d50:6089")
                    && details.contains("simulated") && details.contains("7-1"));
            browser.screenshot("console-device-details");

            openLive(page("aw-devices"));
            js("window.awSamePage = 'still';");
            gogo.run("aw:simulate detach 1d50:6089 CONSOLE-LIVE-1 7-1");
            browser.waiting(15).until(d -> deviceRows().stream().noneMatch(r -> r.contains("CONSOLE-LIVE-1")));
            assertEquals("still", js("return window.awSamePage;"));
            browser.waiting(5).until(d -> d.findElement(By.id("aw-events-body")).getText().contains("DETACH"));
        }
    }

    @Test
    public void markupInADevicesStringsIsShownAsTextNeverRun() throws Exception {
        String product = "<img src=x onerror=\"window.awXss=1\"><b id=\"awBold\">Bold</b> ${brand.name}";
        String manufacturer = "Evil & Co <script>window.awXss2=1</script>";
        Path replay = WORK.resolve("xss.jsonl");
        Files.writeString(replay, "{\"action\":\"attach\",\"vendor_id\":\"dead\",\"product_id\":\"beef\","
                + "\"serial\":\"CONSOLE-XSS-1\",\"manufacturer\":" + jsonString(manufacturer) + ",\"product\":"
                + jsonString(product) + ",\"port_path\":\"8-1\",\"delay_ms\":0}\n");
        openLive(page("aw-devices"));
        try (Gogo gogo = new Gogo(RUNTIME.context())) {
            gogo.run("aw:replay " + replay);
            // live path: the event row (textContent) and the table fragment (escaped on the server)
            browser.waiting(15).until(d -> deviceRows().stream().anyMatch(r -> r.contains("CONSOLE-XSS-1")));
            assertShownAsText(product, manufacturer);
            // first render of the page
            browser.driver.navigate().refresh();
            browser.waiting(10).until(d -> deviceRows().stream().anyMatch(r -> r.contains("CONSOLE-XSS-1")));
            assertShownAsText(product, manufacturer);
            browser.screenshot("console-devices-escaped");

            String html = RUNTIME.get("/system/console/aw-devices/table", "admin", RuntimeHarness.ADMIN_PASSWORD)
                    .body();
            assertTrue(html, html.contains("&lt;img src=x onerror=&quot;window.awXss=1&quot;&gt;"));
            assertTrue(html, html.contains("&#36;{brand.name}") && html.contains("Evil &amp; Co &lt;script&gt;"));
            assertFalse(html, html.contains("<img") || html.contains("<script") || html.contains("<b "));
            gogo.run("aw:simulate detach dead:beef CONSOLE-XSS-1 8-1");
        }
    }

    private static void assertShownAsText(String product, String manufacturer) {
        String row = deviceRows().stream().filter(r -> r.contains("CONSOLE-XSS-1")).findFirst().orElseThrow();
        assertTrue(row, row.contains(product));
        assertTrue(row, row.contains(manufacturer));
        assertTrue("no element was made from the device's strings",
                browser.driver.findElements(By.id("awBold")).isEmpty());
        assertNull(js("return window.awXss;"));
        assertNull(js("return window.awXss2;"));
    }

    private static String jsonString(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    // ---- plugins and security -----------------------------------------------------------------------------

    /** Submits a form by clicking {@code button} and returns the outcome line of the page it leads to. */
    private static WebElement clickAndAwaitOutcome(WebElement button) {
        js("window.awOldPage = true;");
        button.click();
        awaitNextPage();
        return browser.driver.findElement(By.id("aw-outcome"));
    }

    /** Waits until the page marked with {@code window.awOldPage} has been replaced and the new one has loaded. */
    private static void awaitNextPage() {
        browser.waiting(30).ignoring(WebDriverException.class).until(d -> Boolean.TRUE.equals(js(
                "return window.awOldPage === undefined && document.readyState === 'complete';")));
    }

    private static WebElement upload(Path jar, String level) {
        browser.driver.findElement(By.id("aw-install-file")).sendKeys(jar.toAbsolutePath().toString());
        browser.driver.findElement(By.cssSelector("#aw-install-level option[value='" + level + "']")).click();
        return clickAndAwaitOutcome(browser.driver.findElement(By.id("aw-install-button")));
    }

    private static WebElement pluginButton(String action, String plugin) {
        return browser.driver.findElement(By.cssSelector("tr.aw-plugin[data-plugin='" + plugin + "'] button"
                + "[data-action='" + action + "']"));
    }

    private static String pluginState(String plugin) {
        return browser.driver.findElement(By.cssSelector("tr.aw-plugin[data-plugin='" + plugin + "'] td.aw-state"))
                .getText();
    }

    @Test
    public void pluginsAreInstalledByUploadThroughTheGateBlockedUnblockedAndAudited() throws Exception {
        browser.driver.get(page("aw-plugins"));

        WebElement refused = upload(HID_UNSIGNED, "medium");
        assertEquals("false", refused.getAttribute("data-ok"));
        assertTrue(refused.getText(), refused.getText().contains("refused (UNSIGNED)")
                && refused.getText().contains(HID_UNSIGNED.getFileName().toString())
                && refused.getText().contains("the bundle is not signed"));
        assertFalse("the reason names the uploaded file, not the server's temporary copy",
                refused.getText().contains("/uploads/"));
        assertTrue(browser.driver.findElements(By.cssSelector("tr.aw-plugin[data-plugin='"
                + "io.autoweave.sample.hid.logger']")).isEmpty());
        browser.screenshot("console-plugins-refused");

        WebElement installed = upload(STORAGE, "high");
        assertEquals(installed.getText(), "true", installed.getAttribute("data-ok"));
        assertTrue(installed.getText(), installed.getText().startsWith("installed " + STORAGE_BSN)
                && installed.getText().contains("at level high") && installed.getText().contains("ITest Console Signer"));
        browser.waiting(10).until(d -> pluginState(STORAGE_BSN).startsWith("RUNNING"));
        String row = browser.driver.findElement(By.cssSelector("tr.aw-plugin[data-plugin='" + STORAGE_BSN + "']"))
                .getText();
        assertTrue(row, row.contains("plugins-deny-dangerous") && row.contains("plugins-high"));

        WebElement blocked = clickAndAwaitOutcome(pluginButton("block", STORAGE_BSN));
        assertEquals(blocked.getText(), "blocked " + STORAGE_BSN, blocked.getText());
        assertTrue(pluginState(STORAGE_BSN), pluginState(STORAGE_BSN).contains("blocked: blocked by admin in the web "
                + "console"));
        try (Gogo gogo = new Gogo(RUNTIME.context())) {
            assertTrue("the monitor holds the block", String.valueOf(gogo.run("aw:lockdown")).contains(STORAGE_BSN));
        }
        browser.screenshot("console-plugins-blocked");

        WebElement unblocked = clickAndAwaitOutcome(pluginButton("unblock", STORAGE_BSN));
        assertTrue(unblocked.getText(), unblocked.getText().startsWith("unblocked " + STORAGE_BSN));
        WebElement started = clickAndAwaitOutcome(pluginButton("start", STORAGE_BSN));
        assertEquals(started.getText(), "true", started.getAttribute("data-ok"));
        browser.waiting(10).until(d -> pluginState(STORAGE_BSN).startsWith("RUNNING"));
        browser.screenshot("console-plugins");

        // the audit log on the security page, filtered by plugin, then by decision
        browser.driver.get(page("aw-security") + "?plugin=" + STORAGE_BSN);
        List<String> decisions = browser.driver.findElements(By.cssSelector("#aw-audit tr.aw-audit")).stream()
                .map(e -> e.getAttribute("data-decision")).collect(Collectors.toList());
        assertEquals("newest first", List.of("started", "unblocked", "blocked", "install-accepted"),
                decisions.subList(0, 4));
        browser.driver.get(page("aw-security") + "?decision=install-refused");
        List<WebElement> refusals = browser.driver.findElements(By.cssSelector("#aw-audit tr.aw-audit"));
        assertEquals(1, refusals.size());
        assertTrue(refusals.get(0).getText(), refusals.get(0).getText().contains("install-gate:UNSIGNED"));
        assertEquals("plugin:medium/any", browser.driver.findElement(By.cssSelector(
                "tr.aw-policy-row[data-row='plugins-medium']")).getAttribute("data-applies"));
        assertEquals("autoweave:core/any", browser.driver.findElement(By.cssSelector(
                "tr.aw-policy-row[data-row='core-bundles']")).getAttribute("data-applies"));
        assertEquals("plugin:low/any plugin:medium/any plugin:high/any", browser.driver.findElement(By.cssSelector(
                "tr.aw-policy-row[data-row='plugins-deny-dangerous']")).getAttribute("data-applies"));
        browser.driver.get(page("aw-security"));
        browser.screenshot("console-security");

        // lockdown from the page (it asks first), and back
        js("window.awOldPage = true;");
        browser.driver.findElement(By.cssSelector("button[data-action='lockdown']")).click();
        browser.waiting(5).until(ExpectedConditions.alertIsPresent()).accept();
        awaitNextPage();
        WebElement state = browser.driver.findElement(By.id("aw-lockdown"));
        assertEquals("true", state.getAttribute("data-lockdown"));
        browser.screenshot("console-security-lockdown");
        clickAndAwaitOutcome(browser.driver.findElement(By.cssSelector("button[data-action='lockdown']")));
        assertEquals("false", browser.driver.findElement(By.id("aw-lockdown")).getAttribute("data-lockdown"));
        browser.driver.get(page("aw-security") + "?decision=lockdown-on");
        assertEquals(1, browser.driver.findElements(By.cssSelector("#aw-audit tr.aw-audit")).size());
    }

    @Test
    public void aPluginInstallsByNameFromTheRepositoriesAndShowsItsLiveResourceFigures() throws Exception {
        browser.driver.get(page("aw-plugins"));
        browser.driver.findElement(By.id("aw-repo-name")).sendKeys(HID_BSN);
        browser.driver.findElement(By.cssSelector("#aw-repo-level option[value='low']")).click();
        WebElement installed = clickAndAwaitOutcome(browser.driver.findElement(By.id("aw-repo-button")));
        assertEquals(installed.getText(), "true", installed.getAttribute("data-ok"));
        assertTrue(installed.getText(), installed.getText().startsWith("installed " + HID_BSN)
                && installed.getText().contains("from the repositories at level low"));
        Path replay = WORK.resolve("hid.jsonl");
        Files.writeString(replay, "{\"action\":\"attach\",\"vendor_id\":\"046d\",\"product_id\":\"c31c\","
                + "\"port_path\":\"7-1\",\"interface_classes\":[3]}\n");
        try (Gogo gogo = new Gogo(RUNTIME.context())) {
            gogo.run("aw:replay " + replay);
        }
        // the resource enforcer samples every 250 ms: reload until the row shows the call the plugin received
        browser.waiting(20).ignoring(WebDriverException.class).until(d -> {
            d.navigate().refresh();
            String figures = d.findElement(By.cssSelector("tr.aw-plugin[data-plugin='" + HID_BSN + "'] .aw-figures"))
                    .getText();
            return figures.matches("cpu [0-9.]+ cores, alloc [0-9.]+ MB/s, \\d+ own thread\\(s\\), queue \\d+, "
                    + "p99 call [0-9.]+ ms, [1-9]\\d* call\\(s\\), \\d+ shed");
        });
        browser.screenshot("console-plugins-figures");
        js("window.awOldPage = true;");
        pluginButton("uninstall", HID_BSN).click();
        browser.waiting(5).until(ExpectedConditions.alertIsPresent()).accept();
        awaitNextPage();
        assertTrue(browser.driver.findElements(By.cssSelector("tr.aw-plugin[data-plugin='" + HID_BSN + "']"))
                .isEmpty());
    }

    // ---- CSRF ---------------------------------------------------------------------------------------------------

    @Test
    public void actionsWithoutTheSessionsTokenOrFromAnotherOriginAreRefused() throws Exception {
        HttpClient client = HttpClient.newBuilder().cookieHandler(new CookieManager())
                .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(5)).build();
        String url = page("aw-plugins");
        String basic = "Basic " + Base64.getEncoder().encodeToString(("admin:" + RuntimeHarness.ADMIN_PASSWORD)
                .getBytes(StandardCharsets.UTF_8));
        String origin = RUNTIME.baseUrl();

        assertEquals("no login", 401, post(client, url, null, origin, "action=block&plugin=x.y").statusCode());

        HttpResponse<String> noToken = post(client, url, basic, origin, "action=block&plugin=x.y");
        assertEquals(403, noToken.statusCode());
        assertTrue(noToken.body(), noToken.body().contains("CSRF token is missing"));

        HttpResponse<String> form = client.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", basic)
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, form.statusCode());
        assertEquals("never framed by another site", "DENY", form.headers().firstValue("X-Frame-Options")
                .orElse(null));
        Matcher m = Pattern.compile("name='csrf' value='([A-Za-z0-9_-]+)'").matcher(form.body());
        assertTrue("the page's forms carry the token", m.find());
        String token = m.group(1);

        HttpResponse<String> foreign = post(client, url, basic, "http://evil.example", "csrf=" + token
                + "&action=block&plugin=x.y");
        assertEquals(403, foreign.statusCode());
        assertTrue(foreign.body(), foreign.body().contains("comes from http://evil.example:80"));
        assertEquals("neither Origin nor Referer", 403, post(client, url, basic, null, "csrf=" + token
                + "&action=block&plugin=x.y").statusCode());
        assertEquals("a wrong token", 403, post(client, url, basic, origin, "csrf=" + token + "x"
                + "&action=block&plugin=x.y").statusCode());
        try (Gogo gogo = new Gogo(RUNTIME.context())) {
            assertFalse("nothing was blocked", String.valueOf(gogo.run("aw:lockdown")).contains("x.y"));
        }

        // an upload carries the token as a form part; without it the installer is never asked
        String boundary = "awboundary" + System.nanoTime();
        String multipart = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"action\"\r\n\r\ninstall\r\n"
                + "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x.jar\"\r\n"
                + "Content-Type: application/java-archive\r\n\r\nPK\r\n--" + boundary + "--\r\n";
        HttpResponse<String> upload = client.send(HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", basic).header("Origin", origin)
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofString(multipart)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(403, upload.statusCode());
        assertTrue(upload.body(), upload.body().contains("CSRF token is missing"));

        HttpResponse<String> ok = post(client, url, basic, origin, "csrf=" + token
                + "&action=unblock&plugin=not.a.plugin");
        assertEquals("token, session and origin: the action runs", 303, ok.statusCode());
        String after = client.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", basic).GET().build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertTrue(after, after.contains("not.a.plugin is not blocked"));
    }

    private static HttpResponse<String> post(HttpClient client, String url, String authorization, String origin,
            String form) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        if (origin != null) {
            b.header("Origin", origin);
        }
        HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
        assertNotNull(r);
        return r;
    }
}
