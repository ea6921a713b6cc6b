package io.autoweave.http.internal;

/** An authenticated caller: a token name or the admin user, and its role. */
record Principal(String name, Role role) {
    static final String REQUEST_ATTRIBUTE = "io.autoweave.http.principal";
}
