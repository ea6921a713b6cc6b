package io.autoweave.pluginhost;

/**
 * One plugin run out of process.
 *
 * @param symbolicName its Bundle-SymbolicName
 * @param version its Bundle-Version (null when the operator configured the host and the jar does not say)
 * @param level {@code high}, {@code medium} or {@code low}
 * @param state {@code STARTING}, {@code RUNNING}, {@code RESTARTING}, {@code BLOCKED}, {@code STOPPED}, or
 *        {@code REFUSED} when its configuration was refused (see {@code problem})
 * @param installed true when the installer deployed it (signature verified), false when an operator configured
 *        the host by hand
 * @param signer who signed it (null when not installed through the installer)
 * @param sha256 the jar's SHA-256 (null when not installed through the installer)
 * @param source where it was installed from, or the configured jar
 * @param crashes how often its host crashed since it was deployed or the runtime started
 * @param problem why it is not running (a block reason, a crash, a refused configuration, lockdown), or null
 * @param deployment the id of the deployment (or start/stop) this state belongs to; empty for an operator's host
 */
public record IsolatedPluginInfo(String symbolicName, String version, String level, String state, boolean installed,
        String signer, String sha256, String source, long crashes, String problem, String deployment) {

    /** Whether the host runs and its plugin receives events. */
    public boolean running() {
        return "RUNNING".equals(state);
    }
}
