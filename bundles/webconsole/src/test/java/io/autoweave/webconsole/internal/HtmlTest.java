package io.autoweave.webconsole.internal;

import static org.junit.Assert.assertEquals;

import org.junit.Test;

public class HtmlTest {

    @Test
    public void markupQuotesAndConsoleVariablesAreEscaped() {
        assertEquals("&lt;img src=x onerror=&quot;a()&quot;&gt; &amp; &#39;q&#39; &#36;{brand.name} &#96;",
                Html.esc("<img src=x onerror=\"a()\"> & 'q' ${brand.name} `"));
    }

    @Test
    public void nullIsEmptyAndControlCharactersAreReplaced() {
        assertEquals("", Html.esc(null));
        assertEquals("a&#xfffd;b\tc", Html.esc("a\u0001b\tc"));
    }

    @Test
    public void jsonStringsCannotCloseAScriptOrHoldAConsoleVariable() {
        assertEquals("\"\\u003c/script\\u003e \\\"x\\\" \\u0024{y} \\\\ \\n\"",
                Html.json("</script> \"x\" ${y} \\ \n"));
        assertEquals("null", Html.json(null));
    }

    @Test
    public void timesAreUtcSeconds() {
        assertEquals("1970-01-01 00:00:01Z", Html.time(1500));
    }
}
