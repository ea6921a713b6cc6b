package io.autoweave.api.log;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A named, durable reader position. {@link #commit} is cheap (memory); the log persists committed positions in the
 * background, a few times a second and at a clean stop, never on the path that makes events durable. After a crash
 * a consumer therefore resumes at most that interval behind where it was: it sees some records again (consumers
 * de-duplicate by event id, or, like the Redis publisher, by seq) and never misses one.
 */
@ProviderType
public interface LogCursor {

    /** The cursor's name. */
    String name();

    /** Seq of the last record the consumer finished with; 0 before any. */
    long position();

    /** Records that the consumer finished with every record up to {@code seq}; never moves backwards. */
    void commit(long seq);

    /** Sets the position to {@code seq}, also backwards (an operator replaying a range). */
    void reset(long seq);
}
