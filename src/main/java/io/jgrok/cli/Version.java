package io.jgrok.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** {@code ./jgrok --version}: the version Maven stamped into the jar, and the Java runtime. */
final class Version {
    /** Written by Maven's jar plugin into every jar it builds (absent when running from target/classes). */
    private static final String POM_PROPERTIES = "/META-INF/maven/io.jgrok/jgrok/pom.properties";

    private Version() {
    }

    /** "jgrok 0.1.0-SNAPSHOT (Java 17.0.9)", or "jgrok (development build, not from a jar) (Java ...)". */
    static String text() {
        String version = null;
        try (InputStream in = Version.class.getResourceAsStream(POM_PROPERTIES)) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                version = p.getProperty("version");
            }
        } catch (IOException e) {
            // Fall through to the development-build text.
        }
        return "jgrok " + (version == null ? "(development build, not from a jar)" : version) + " (Java "
                + Runtime.version() + ")";
    }
}
