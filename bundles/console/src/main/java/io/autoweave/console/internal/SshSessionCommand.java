package io.autoweave.console.internal;

import java.io.InputStream;
import java.io.OutputStream;

import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;

/**
 * What an SSH session's command shares: the channel's streams, the exit callback, and the one thread that serves the
 * session ({@link #serve}), interrupted when the channel goes away.
 */
abstract class SshSessionCommand implements Command {
    protected InputStream in;
    protected OutputStream out;
    protected OutputStream err;
    protected ExitCallback exit;
    private volatile Thread thread;

    @Override
    public void setInputStream(InputStream in) {
        this.in = in;
    }

    @Override
    public void setOutputStream(OutputStream out) {
        this.out = out;
    }

    @Override
    public void setErrorStream(OutputStream err) {
        this.err = err;
    }

    @Override
    public void setExitCallback(ExitCallback exit) {
        this.exit = exit;
    }

    /** Runs {@code body} on the session's own thread. */
    protected final void serve(String name, Runnable body) {
        Thread th = new Thread(body, name);
        thread = th;
        th.start();
    }

    /** Lets go of what the session holds; called when the channel closes, before the thread is interrupted. */
    protected void release() {
    }

    @Override
    public void destroy(ChannelSession channel) {
        release();
        Thread th = thread;
        if (th != null && th != Thread.currentThread()) {
            th.interrupt();
        }
    }
}
