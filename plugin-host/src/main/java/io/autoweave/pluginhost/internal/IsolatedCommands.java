package io.autoweave.pluginhost.internal;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/** {@code aw:isolated}: the plugins run out of process, one line each. */
@Component(service = IsolatedCommands.class, property = { "osgi.command.scope=aw",
        "osgi.command.function=isolated" })
public final class IsolatedCommands {

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    final List<IsolatedPluginComponent> plugins = new CopyOnWriteArrayList<>();

    @Descriptor("the plugins run out of process (isolated): state, starts, crashes, events sent/acked/missed/"
            + "withheld, heap, threads")
    public List<String> isolated() {
        return plugins.stream().map(IsolatedPluginComponent::status).sorted().toList();
    }
}
