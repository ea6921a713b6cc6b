/** The Web Console pages; nothing here is exported. */
package io.autoweave.webconsole.internal;
