package io.autoweave.webhooks.internal;

import java.nio.file.Path;
import java.util.Map;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;

import io.autoweave.api.log.EventLog;
import io.autoweave.commons.config.ConfigurationStatus;
import io.autoweave.commons.config.LastGoodConfig;
import io.autoweave.commons.retry.CircuitBreaker;

/**
 * One webhook subscription per factory configuration of {@value #FACTORY_PID}. A configuration that does not check
 * out ({@link WebhookSettings}) does not stop the others; a refused change keeps this subscription sending on its last
 * good configuration ({@link LastGoodConfig}, reported as {@code io.autoweave.webhooks.subscription~NAME}); a
 * subscription refused from the start shows as {@code CONFIG_ERROR} with the reason in {@code aw:webhooks} and the
 * log, and sends nothing. The cursor lives in
 * {@code DATA/webhooks/NAME.cursor}, so removing and re-adding a configuration with the same name resumes it.
 */
@Component(service = {}, configurationPid = WebhookSubscription.FACTORY_PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE)
@Designate(ocd = WebhookConfiguration.class, factory = true)
public final class WebhookSubscription {
    static final String FACTORY_PID = "io.autoweave.webhooks.subscription";
    private static final System.Logger LOG = System.getLogger(WebhookSubscription.class.getName());

    private final WebhookHub hub;
    private final EventLog history;
    private final String factoryName;
    private final LastGoodConfig<WebhookConfiguration, WebhookSettings> lastGood;
    private volatile EndpointWorker worker;
    private volatile String url;

    @Activate
    public WebhookSubscription(BundleContext context, @Reference WebhookHub hub, @Reference EventLog history,
            WebhookConfiguration config, Map<String, Object> properties) {
        this.hub = hub;
        this.history = history;
        this.factoryName = factoryName(properties);
        this.lastGood = new LastGoodConfig<>(FACTORY_PID + "~" + factoryName, WebhookConfiguration.class,
                c -> WebhookSettings.of(c, factoryName));
        this.url = config.url();
        // a subscription has no defaults to fall back on (no URL): refused at start, it sends nothing until fixed
        WebhookSettings settings = lastGood.start(context, config, properties,
                "nothing (this subscription sends nothing until its configuration is fixed)", () -> null);
        hub.add(this);
        if (settings != null) {
            start(settings);
        }
    }

    /** A refused change keeps the subscription sending as it was; an accepted one restarts it from its cursor. */
    @Modified
    synchronized void modified(WebhookConfiguration config, Map<String, Object> properties) throws InterruptedException {
        var accepted = lastGood.modified(config, properties);
        if (accepted.isPresent()) {
            stopWorker();
            url = config.url();
            start(accepted.get());
        }
    }

    private synchronized void start(WebhookSettings settings) {
        Path cursorFile = hub.directory().resolve(settings.name() + ".cursor");
        EndpointWorker w = new EndpointWorker(settings, history, new Cursor(cursorFile), hub.log());
        worker = w;
        w.start();
    }

    private synchronized void stopWorker() throws InterruptedException {
        EndpointWorker w = worker;
        worker = null;
        if (w != null) {
            w.stop(5000);
        }
    }

    @Deactivate
    void deactivate() throws InterruptedException {
        lastGood.close();
        hub.remove(this);
        stopWorker();
    }

    EndpointWorker.Status status() {
        EndpointWorker w = worker;
        if (w != null) {
            return w.status();
        }
        ConfigurationStatus.Refusal r = lastGood.error();
        return new EndpointWorker.Status(factoryName, url, "CONFIG_ERROR", -1, 0, 0, 0, 0, 0,
                CircuitBreaker.State.CLOSED, null, null, r == null ? "not configured" : r.key() + ": " + r.reason());
    }

    /**
     * The configuration's own name: {@code orders} for the PID {@code io.autoweave.webhooks.subscription~orders}
     * (a named factory configuration) or for File Install's {@code io.autoweave.webhooks.subscription-orders.config}.
     */
    static String factoryName(Map<String, Object> properties) {
        Object pid = properties.get("service.pid");
        if (pid != null && pid.toString().contains("~")) {
            return pid.toString().substring(pid.toString().indexOf('~') + 1);
        }
        Object file = properties.get("felix.fileinstall.filename");
        if (file != null) {
            String name = file.toString();
            name = name.substring(name.lastIndexOf('/') + 1).replaceFirst("\\.(cfg|config)$", "");
            if (name.startsWith(FACTORY_PID + "-")) {
                return name.substring(FACTORY_PID.length() + 1);
            }
        }
        return pid == null ? "webhook" : pid.toString().replaceAll("[^A-Za-z0-9._-]", "_");
    }
}
