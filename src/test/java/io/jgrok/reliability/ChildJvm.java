package io.jgrok.reliability;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Starts a main class in a child JVM with the test classpath, for tests that kill or signal a real process. */
final class ChildJvm {
    private ChildJvm() {
    }

    static Process start(Path logDir, String name, Class<?> mainClass, String... args) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.add("-Xmx1g");
        cmd.add("--add-modules");
        cmd.add("jdk.incubator.vector");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass.getName());
        cmd.addAll(Arrays.asList(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.redirectOutput(logDir.resolve(name + ".out").toFile());
        pb.redirectError(logDir.resolve(name + ".err").toFile());
        pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        return pb.start();
    }

    /** The jgrok CLI (io.jgrok.cli.Main) in a child JVM. */
    static Process jgrok(Path logDir, String name, String... args) throws IOException {
        return start(logDir, name, io.jgrok.cli.Main.class, args);
    }
}
