package io.autoweave.plugin.installer.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "AutoWeave plugins drop folder",
        description = "A folder watched for plugin jars: a jar dropped in is installed through the install gate, a "
                + "jar removed is uninstalled, a refused jar is reported once and retried only when it changes")
@interface DropFolderConfig {

    @AttributeDefinition(name = "Enabled")
    boolean enabled() default true;

    @AttributeDefinition(name = "Folder", description = "Relative paths are resolved against the data directory")
    String folder() default "plugins-drop";

    @AttributeDefinition(name = "Level", description = "Security level for dropped plugins: low, medium or high")
    String level() default "medium";

    @AttributeDefinition(name = "Poll interval (ms)",
            description = "How often the folder is scanned; a jar is taken once its size and time stay the same "
                    + "for one interval (so a half-copied file is not read). 100..60000")
    long poll_millis() default 2000;
}
