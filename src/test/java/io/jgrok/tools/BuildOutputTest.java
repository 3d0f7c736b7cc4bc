package io.jgrok.tools;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A build says one line unless it fails: the kernels' resource table goes to a file, and the launcher's first-use
 * build keeps its output in target/build.log, showing it only when the build fails.
 */
class BuildOutputTest {
    private static final Path PROJECT = Path.of(System.getProperty("jgrok.project.dir", "."));

    @TempDir
    Path dir;

    private record Result(int exitCode, String output) {
    }

    private static Result run(Path workDir, List<String> command) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true);
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        return new Result(p.exitValue(), out);
    }

    private static String entry(String kernel, int spillBytes) {
        return "ptxas info    : Compiling entry function '" + kernel + "' for 'sm_80'\n"
                + "ptxas info    : Function properties for " + kernel + "\n"
                + "    " + spillBytes + " bytes stack frame, " + spillBytes + " bytes spill stores, " + spillBytes
                + " bytes spill loads\n"
                + "ptxas info    : Used 40 registers, used 1 barriers, 1024 bytes smem, 368 bytes cmem[0]\n";
    }

    private Result ptxasReport(String report, boolean tableFile) throws Exception {
        Path cuda = Files.createDirectories(dir.resolve("cuda"));
        Files.writeString(cuda.resolve("k.cu"), "extern \"C\" __global__ void a_kernel(float* out) { out[0] = 1; }\n"
                + "JGROK_REGISTER_KERNEL(a_kernel);\n");
        Files.writeString(dir.resolve("report.txt"), report);
        Files.writeString(dir.resolve("jgrok.kernels"), "a_kernel p\n");
        List<String> cmd = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), PROJECT.resolve("tools/PtxasReport.java").toAbsolutePath().toString(),
                dir.resolve("report.txt").toString(), dir.resolve("jgrok.kernels").toString(), cuda.toString()));
        if (tableFile) {
            cmd.add(dir.resolve("table.txt").toString());
        }
        return run(dir, cmd);
    }

    @Test
    void theKernelCheckPrintsOneLineAndWritesItsTableToAFile() throws Exception {
        Result r = ptxasReport(entry("a_kernel", 0), true);
        assertEquals(0, r.exitCode, r.output);
        assertEquals(1, r.output.strip().lines().count(), "one line: " + r.output);
        assertTrue(r.output.startsWith("PtxasReport: 1 kernels x 1 architectures, no unjustified spills"), r.output);
        assertTrue(Files.readString(dir.resolve("table.txt")).contains("a_kernel"), "the table is in the file");
    }

    @Test
    void aFailingKernelCheckShowsItsTableAndTheReason() throws Exception {
        Result r = ptxasReport(entry("a_kernel", 16), true);
        assertEquals(1, r.exitCode, r.output);
        assertTrue(r.output.contains("a_kernel") && r.output.contains("registers"), "the table: " + r.output);
        assertTrue(r.output.contains("kernel a_kernel spills"), r.output);
    }

    /** A project with the real launcher and a Makefile whose jar target prints 60 lines and a colour reset. */
    private Path fakeProject(boolean buildFails) throws IOException {
        Path proj = Files.createDirectories(dir.resolve("proj"));
        Files.copy(PROJECT.resolve("jgrok"), proj.resolve("jgrok"));
        Files.createDirectories(proj.resolve("src/main"));
        Files.writeString(proj.resolve("pom.xml"), "<project/>\n");
        Files.writeString(proj.resolve("Makefile"), "jar:\n"
                + "\t@for i in $$(seq 60); do echo \"noise line $$i\"; done\n"
                + "\t@printf '\\033[0m\\n'\n"
                + (buildFails ? "\t@echo 'error: it broke' >&2; exit 2\n"
                : "\t@mkdir -p target && echo not-a-jar > target/jgrok.jar\n"));
        return proj;
    }

    @Test
    void theLaunchersFirstBuildSaysOneLine() throws Exception {
        Path proj = fakeProject(false);
        Result r = run(proj, List.of("bash", proj.resolve("jgrok").toString(), "--version"));
        List<String> ours = r.output.lines().filter(l -> l.startsWith("jgrok")).toList();
        assertEquals(1, ours.size(), r.output);
        assertTrue(ours.get(0).startsWith("jgrok: building target/jgrok.jar"), r.output);
        assertFalse(r.output.contains("noise line") || r.output.contains("\033"), "the build's own output is "
                + "not shown: " + r.output);
        String log = Files.readString(proj.resolve("target/build.log"));
        assertTrue(log.contains("noise line 60"), "it is in the log");
    }

    @Test
    void aFailedBuildShowsItsOutput() throws Exception {
        Path proj = fakeProject(true);
        Result r = run(proj, List.of("bash", proj.resolve("jgrok").toString(), "--version"));
        assertEquals(1, r.exitCode, r.output);
        assertTrue(r.output.contains("noise line 60") && r.output.contains("error: it broke"), r.output);
        assertTrue(r.output.contains("jgrok: the build failed"), r.output);
    }
}
