package io.jgrok.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * tools/PtxasReport.java, the spill and registration check of `make kernels`, on reports in nvcc's format: a clean
 * report passes, a spill fails unless a `// spill-ok: reason` comment sits above the kernel, and a kernel that is
 * compiled but not registered fails.
 */
class PtxasReportTest {
    private static final Path PROJECT = Path.of(System.getProperty("jgrok.project.dir", "."));

    @TempDir
    Path dir;

    private record Result(int exitCode, String output) {
    }

    private static String entry(String kernel, String arch, int spillBytes) {
        return "ptxas info    : Compiling entry function '" + kernel + "' for '" + arch + "'\n"
                + "ptxas info    : Function properties for " + kernel + "\n"
                + "    " + spillBytes + " bytes stack frame, " + spillBytes + " bytes spill stores, " + spillBytes
                + " bytes spill loads\n"
                + "ptxas info    : Used 40 registers, used 1 barriers, 1024 bytes smem, 368 bytes cmem[0]\n"
                + "ptxas info    : Compile time = 1.0 ms\n";
    }

    private static final String KERNELS = """
            #include "jgrok_cuda.cuh"

            // Sums things. Launch: 256 threads.
            extern "C" __global__ void good_kernel(float* out) { out[0] = 1; }
            JGROK_REGISTER_KERNEL(good_kernel);

            // Big tiles. HEADER_LINE
            extern "C" __global__ void __launch_bounds__(1024) big_kernel(float* out) { out[0] = 2; }
            JGROK_REGISTER_KERNEL(big_kernel);
            """;

    private Result run(String report, String manifest, String kernels) throws IOException, InterruptedException {
        Path cuda = Files.createDirectories(dir.resolve("cuda"));
        Files.writeString(cuda.resolve("k.cu"), kernels);
        Files.writeString(dir.resolve("report.txt"), report);
        Files.writeString(dir.resolve("jgrok.kernels"), manifest);
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                PROJECT.resolve("tools/PtxasReport.java").toString(), dir.resolve("report.txt").toString(),
                dir.resolve("jgrok.kernels").toString(), cuda.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return new Result(p.exitValue(), out);
    }

    @Test
    void cleanReportPassesAndPrintsTheTable() throws Exception {
        String report = "ptxas info    : 0 bytes gmem\n" + entry("good_kernel", "sm_80", 0) + entry("big_kernel", "sm_80", 0)
                + entry("good_kernel", "sm_90", 0) + entry("big_kernel", "sm_90", 0);
        Result r = run(report, "# nvcc: test\ngood_kernel p\nbig_kernel p\n", KERNELS);
        assertEquals(0, r.exitCode, r.output);
        assertTrue(r.output.contains("registers 80/90"), r.output);
        assertTrue(r.output.matches("(?s).*big_kernel\\s+40/40\\s+1024\\s+0\\s+0/0.*"), r.output);
    }

    @Test
    void spillWithoutJustificationFails() throws Exception {
        String report = entry("good_kernel", "sm_80", 0) + entry("big_kernel", "sm_80", 16);
        Result r = run(report, "good_kernel p\nbig_kernel p\n", KERNELS);
        assertEquals(1, r.exitCode, r.output);
        assertTrue(r.output.contains("kernel big_kernel spills (sm_80 16/16 bytes)"), r.output);
        assertTrue(r.output.contains("spill-ok"), r.output);
    }

    @Test
    void spillWithAJustifyingCommentPasses() throws Exception {
        String report = entry("good_kernel", "sm_80", 0) + entry("big_kernel", "sm_80", 16);
        String justified = KERNELS.replace("HEADER_LINE",
                "\n// spill-ok: 16 bytes once per thread, cheaper than a second pass");
        Result r = run(report, "good_kernel p\nbig_kernel p\n", justified);
        assertEquals(0, r.exitCode, r.output);
        assertTrue(r.output.contains("spill accepted: kernel big_kernel spills (sm_80 16/16 bytes): 16 bytes once "
                + "per thread, cheaper than a second pass"), r.output);
    }

    @Test
    void unregisteredKernelFails() throws Exception {
        String report = entry("good_kernel", "sm_80", 0) + entry("big_kernel", "sm_80", 0);
        Result r = run(report, "good_kernel p\n", KERNELS);
        assertEquals(1, r.exitCode, r.output);
        assertTrue(r.output.contains("kernel big_kernel is compiled but not registered: add "
                + "JGROK_REGISTER_KERNEL(big_kernel)"), r.output);
    }
}
