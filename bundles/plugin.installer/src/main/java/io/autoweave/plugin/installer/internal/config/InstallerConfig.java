package io.autoweave.plugin.installer.internal.config;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "AutoWeave plugin installer",
        description = "Where the plugin trust store is (without one every install is refused) and which plugin "
                + "repositories aw:install obr:NAME uses.")
public @interface InstallerConfig {

    @AttributeDefinition(name = "Trust store",
            description = "PKCS12 or JKS file with the trusted CA or signer certificates; a relative path is "
                    + "resolved against the data directory. Read at every install, so changes apply at once.")
    String trust_store_path() default "security/plugins-truststore.p12";

    @AttributeDefinition(name = "Trust store password", type = AttributeType.PASSWORD,
            description = "Integrity password of the trust store; empty = none. The leading dot in its name '.trust.store.password' keeps it out of the service properties.")
    String _trust_store_password() default "";

    @AttributeDefinition(name = "Download time-out (s)",
            description = "Connect and read time-out for http(s) sources, 1..3600 seconds")
    int download_timeout_seconds() default 60;

    @AttributeDefinition(name = "Start time-out (s)",
            description = "How long a plugin's start() (and an operator's stop or uninstall) may take, 1..600 "
                    + "seconds. A start that does not return in time is answered with START_TIMEOUT, the plugin is "
                    + "marked FAILED and blocked; other installs never wait for it.")
    int start_timeout_seconds() default 10;

    @AttributeDefinition(name = "Plugin repositories",
            description = "Repository indexes that aw:install obr:NAME resolves from, in order: an OSGi repository "
                    + "index (index.xml or index.xml.gz, as bnd writes it) or a Felix OBR repository.xml, given as a "
                    + "directory holding one, a file path, a file: URL, an https: URL or an http: URL to a loopback "
                    + "address. In a .cfg file separate several with commas. Read at every use, so changes apply at "
                    + "once; every resource installed from them still passes the signature gate.")
    String[] repositories() default {};

    @AttributeDefinition(name = "Default mode",
            description = "in-process or isolated: where a plugin runs when the install does not say (the REST "
                    + "mode parameter, aw:install --mode, the drop folder). On a Java without the SecurityManager "
                    + "(24 and later) plugins always run isolated.")
    String default_mode() default "in-process";

    @AttributeDefinition(name = "Runtime bundles in isolated hosts",
            description = "Symbolic names of runtime bundles an isolated plugin's host installs before it: "
                    + "Declarative Services and its dependencies, and the SLF4J API (Pax Logging's), so a plugin "
                    + "written for the runtime runs unchanged")
    String[] isolated_runtime_bundles() default { "org.osgi.util.function", "org.osgi.util.promise",
        "org.osgi.service.component", "org.apache.felix.scr", "org.ops4j.pax.logging.pax-logging-api" };
}
