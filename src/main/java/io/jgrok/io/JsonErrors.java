package io.jgrok.io;

/** Turns a JSON parser exception into the short location text users need (no class names). */
public final class JsonErrors {
    private JsonErrors() {
    }

    public static String describe(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String m = t.getMessage() == null ? "malformed" : t.getMessage();
        // Gson prefixes nested messages with the exception class ("com.google...Exception: ...").
        int colon = m.lastIndexOf("Exception: ");
        if (colon >= 0) {
            m = m.substring(colon + "Exception: ".length());
        }
        int see = m.indexOf("\nSee https://");
        if (see >= 0) {
            m = m.substring(0, see);
        }
        // Gson's advice to its own developers ("Use JsonReader.setStrictness(...) to accept malformed JSON").
        int use = m.indexOf("Use JsonReader.");
        if (use >= 0) {
            m = m.substring(0, use);
        }
        return m.strip();
    }
}
