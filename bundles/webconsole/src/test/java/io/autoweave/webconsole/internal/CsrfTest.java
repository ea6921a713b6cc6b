package io.autoweave.webconsole.internal;

import static org.junit.Assert.assertEquals;

import org.junit.Test;

public class CsrfTest {

    @Test
    public void originsAreComparedBySchemeHostAndPortWithDefaultPorts() {
        assertEquals("http://127.0.0.1:8080", Csrf.normalize("http://127.0.0.1:8080"));
        assertEquals("http://localhost:80", Csrf.normalize("HTTP://LocalHost"));
        assertEquals("https://example.org:443", Csrf.normalize("https://example.org/some/page?x=1"));
        assertEquals("a referer reduces to its origin", Csrf.normalize("http://h:1"),
                Csrf.normalize("http://h:1/system/console/aw-plugins?x"));
    }

    @Test
    public void somethingThatIsNoUrlNeverEqualsAnOrigin() {
        assertEquals("invalid:not a url", Csrf.normalize("not a url"));
        assertEquals("invalid:/relative", Csrf.normalize("/relative"));
    }
}
