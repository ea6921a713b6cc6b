package io.autoweave.http.internal;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.servlet.whiteboard.HttpWhiteboardConstants;

import io.autoweave.api.metrics.MetricsSource;
import io.autoweave.commons.config.ConfigurationStatus;

/**
 * {@code GET /metrics}: Prometheus text from every {@link MetricsSource} plus the runtime's own figures and the state
 * of every component configuration ({@link ConfigurationStatus}).
 */
@Component(service = Servlet.class, property = {
        HttpWhiteboardConstants.HTTP_WHITEBOARD_SERVLET_PATTERN + "=/metrics",
        HttpWhiteboardConstants.HTTP_WHITEBOARD_CONTEXT_SELECT + "=" + ApiSecurityContext.SELECT })
public final class MetricsServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    private final transient BundleContext context;
    final transient List<MetricsSource> sources = new CopyOnWriteArrayList<>();

    @Activate
    public MetricsServlet(BundleContext context) {
        this.context = context;
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addSource(MetricsSource s) {
        sources.add(s);
    }

    void removeSource(MetricsSource s) {
        sources.remove(s);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    final List<ConfigurationStatus> configurations = new CopyOnWriteArrayList<>();

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        PrometheusWriter w = new PrometheusWriter();
        runtimeFigures(w);
        for (MetricsSource s : sources) {
            try {
                s.collect(w);
            } catch (RuntimeException e) {
                w.counter("autoweave_metrics_source_errors_total", "Metric sources that failed during this scrape", 1,
                        "source", s.getClass().getName());
            }
        }
        resp.setContentType("text/plain; version=0.0.4; charset=utf-8");
        resp.setHeader("Cache-Control", "no-store");
        resp.getWriter().write(w.text());
    }

    private void runtimeFigures(PrometheusWriter w) {
        int[] byState = new int[6];
        String[] names = { "installed", "resolved", "starting", "stopping", "active", "other" };
        for (Bundle b : context.getBundles()) {
            switch (b.getState()) {
                case Bundle.INSTALLED: byState[0]++; break;
                case Bundle.RESOLVED: byState[1]++; break;
                case Bundle.STARTING: byState[2]++; break;
                case Bundle.STOPPING: byState[3]++; break;
                case Bundle.ACTIVE: byState[4]++; break;
                default: byState[5]++;
            }
        }
        for (int i = 0; i < names.length; i++) {
            w.gauge("autoweave_bundles", "OSGi bundles by state", byState[i], "state", names[i]);
        }
        for (ConfigurationStatus c : configurations) {
            w.counter("autoweave_config_refused_total", "Configurations refused (the one in force stayed)",
                    c.refusals(), "pid", c.pid());
            w.gauge("autoweave_config_error", "1 while the configuration last offered is refused", c.error() == null
                    ? 0 : 1, "pid", c.pid());
        }
        MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
        w.gauge("autoweave_jvm_heap_used_bytes", "JVM heap in use", mem.getHeapMemoryUsage().getUsed());
        w.gauge("autoweave_jvm_heap_max_bytes", "JVM maximum heap", mem.getHeapMemoryUsage().getMax());
        w.gauge("autoweave_jvm_threads", "Live JVM threads", ManagementFactory.getThreadMXBean().getThreadCount());
        w.gauge("autoweave_uptime_seconds", "Seconds since the JVM started",
                ManagementFactory.getRuntimeMXBean().getUptime() / 1000.0);
    }
}
