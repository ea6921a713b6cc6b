package io.autoweave.console.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import java.util.concurrent.atomic.AtomicLong;

import org.junit.Test;

public class LoginPacerTest {
    private static final long SECOND = 1_000_000_000L;
    private final AtomicLong now = new AtomicLong(1_000 * SECOND);
    private final LoginPacer pacer = new LoginPacer(3, now::get);

    @Test
    public void anAddressWithinItsAllowanceIsNeverKeptWaiting() {
        for (int i = 0; i < 2; i++) {
            assertEquals(0, pacer.turn("10.0.0.1"));
            pacer.failed("10.0.0.1");
        }
        assertEquals(0, pacer.turn("10.0.0.1"));
    }

    @Test
    public void pastTheAllowanceAttemptsAreSpacedOverTheMinuteAndOtherAddressesAreUntouched() {
        for (int i = 0; i < 3; i++) {
            pacer.failed("10.0.0.1");
        }
        assertEquals("the first attempt past the allowance takes the current turn", 0, pacer.turn("10.0.0.1"));
        assertEquals(20 * SECOND, pacer.turn("10.0.0.1"));
        assertEquals(40 * SECOND, pacer.turn("10.0.0.1"));
        assertEquals("another address is not paced", 0, pacer.turn("10.0.0.2"));
    }

    @Test
    public void moreWaitersThanAMinutesWorthAreDroppedUnchecked() {
        for (int i = 0; i < 3; i++) {
            pacer.failed("10.0.0.1");
        }
        for (int i = 0; i < 3; i++) {
            pacer.turn("10.0.0.1");
        }
        assertEquals(-1, pacer.turn("10.0.0.1"));
        pacer.done("10.0.0.1");
        assertEquals("a waiter answered frees a place", 60 * SECOND, pacer.turn("10.0.0.1"));
    }

    @Test
    public void failuresOlderThanAMinuteNoLongerCount() {
        for (int i = 0; i < 3; i++) {
            pacer.failed("10.0.0.1");
        }
        now.addAndGet(61 * SECOND);
        assertEquals(0, pacer.turn("10.0.0.1"));
        assertEquals(0, pacer.turn("10.0.0.1"));
    }

    @Test
    public void aZeroAllowanceIsRefusedWithWhatToFix() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new LoginPacer(0, now::get));
        assertEquals("auth.failures.per.minute must be >= 1, not 0", e.getMessage());
    }
}
