package io.autoweave.itests.repo.lib;

/** The library bundle of the repository tests: one exported class a plugin imports. */
public final class Greeting {
    private Greeting() {
    }

    /** What the plugin publishes, proving it wired to this library. */
    public static String text() {
        return "hello from the library";
    }
}
