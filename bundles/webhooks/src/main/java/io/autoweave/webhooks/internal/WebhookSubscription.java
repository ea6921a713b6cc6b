package io.autoweave.webhooks.internal;

import java.nio.file.Path;
import java.util.Map;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;

import io.autoweave.api.log.EventLog;
import io.autoweave.commons.retry.CircuitBreaker;

/**
 * One webhook subscription per factory configuration of {@value #FACTORY_PID}. A configuration that does not check
 * out ({@link WebhookSettings}) does not stop the others: this subscription shows as {@code CONFIG_ERROR} with the
 * reason in {@code aw:webhooks} and the log, and sends nothing. The cursor lives in
 * {@code DATA/webhooks/NAME.cursor}, so removing and re-adding a configuration with the same name resumes it.
 */
@Component(service = {}, configurationPid = WebhookSubscription.FACTORY_PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE)
@Designate(ocd = WebhookConfiguration.class, factory = true)
public final class WebhookSubscription {
    static final String FACTORY_PID = "io.autoweave.webhooks.subscription";
    private static final System.Logger LOG = System.getLogger(WebhookSubscription.class.getName());

    private final WebhookHub hub;
    private final EndpointWorker worker;
    private final EndpointWorker.Status configError;

    @Activate
    public WebhookSubscription(@Reference WebhookHub hub, @Reference EventLog history,
            WebhookConfiguration config, Map<String, Object> properties) {
        this.hub = hub;
        String factoryName = factoryName(properties);
        EndpointWorker w = null;
        EndpointWorker.Status error = null;
        try {
            WebhookSettings settings = WebhookSettings.of(config, factoryName);
            Path cursorFile = hub.directory().resolve(settings.name() + ".cursor");
            w = new EndpointWorker(settings, history, new Cursor(cursorFile), hub.log());
        } catch (IllegalArgumentException e) {
            String message = "webhook subscription " + factoryName + " is not configured right, nothing is sent: "
                    + e.getMessage();
            LOG.log(System.Logger.Level.ERROR, message);
            error = new EndpointWorker.Status(factoryName, config.url(), "CONFIG_ERROR", -1, 0, 0, 0, 0, 0,
                    CircuitBreaker.State.CLOSED, null, null, e.getMessage());
        }
        this.worker = w;
        this.configError = error;
        hub.add(this);
        if (worker != null) {
            worker.start();
        }
    }

    @Deactivate
    void deactivate() throws InterruptedException {
        hub.remove(this);
        if (worker != null) {
            worker.stop(5000);
        }
    }

    EndpointWorker.Status status() {
        return worker != null ? worker.status() : configError;
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
