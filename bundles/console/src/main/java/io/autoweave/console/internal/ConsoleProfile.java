package io.autoweave.console.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.apache.felix.gogo.jline.Shell;

/**
 * The login profile of every console session (local and SSH): Felix's default {@code gosh_profile} (prompt,
 * completions), then AutoWeave's settings. Gogo's Shell reads {@code GOSH_HOME/etc/gosh_profile}; the console gives
 * each Shell a home in the bundle's data area holding this file.
 */
final class ConsoleProfile {

    /**
     * Command lookup order for names typed without a scope. Gogo takes the first scope in this list that has the
     * command and, at {@code *}, any scope in no particular order; so Felix's framework commands ({@code start},
     * {@code stop}, {@code help}) win over the {@code aw} commands of the same name ({@code aw:stop PLUGIN}).
     */
    static final String SCOPE = "console:gogo:felix:*";

    private ConsoleProfile() {
    }

    /** Writes {@code home/etc/gosh_profile} and returns {@code home}. */
    static Path write(Path home, Path historyFile) throws IOException {
        String felix;
        try (InputStream in = Shell.class.getResourceAsStream("/gosh_profile")) {
            felix = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Files.createDirectories(home.resolve("etc"));
        Files.writeString(home.resolve("etc/gosh_profile"), felix + "\n" + ours(historyFile), StandardCharsets.UTF_8);
        return home;
    }

    static String ours(Path historyFile) {
        String history = historyFile.toString().replace("\\", "/").replace("'", "");
        return "# AutoWeave (written by the console bundle at start)\n"
                + "SCOPE = '" + SCOPE + "'\n"
                + "prompt = 'aw> '\n"
                // Gogo puts the history in ~/.gogo.history before the profile runs; keep it in the data directory
                + "try { $.reader setVariable history-file '" + history + "'; ($.reader history) load } { }\n";
    }
}
