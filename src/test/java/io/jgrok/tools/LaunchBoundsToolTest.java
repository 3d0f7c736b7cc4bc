package io.jgrok.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * tools/LaunchBounds.java, which reads every kernel's launch bounds from the sources for the emulated device (g++
 * ignores the attribute) and, in `make kernels`, compares them with the bounds nvcc compiled into the PTX.
 */
class LaunchBoundsToolTest {
    private static final Path PROJECT = Path.of(System.getProperty("jgrok.project.dir", "."));

    @TempDir
    Path dir;

    private record Result(int exitCode, String output) {
    }

    private Result run(String... args) throws IOException, InterruptedException {
        String[] cmd = new String[args.length + 2];
        cmd[0] = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        cmd[1] = PROJECT.resolve("tools/LaunchBounds.java").toString();
        System.arraycopy(args, 0, cmd, 2, args.length);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return new Result(p.exitValue(), out);
    }

    private Result generate(String source) throws IOException, InterruptedException {
        Path cuda = Files.createDirectories(dir.resolve("cuda"));
        Files.writeString(cuda.resolve("k.cu"), source);
        return run("generate", cuda.toString(), dir.resolve("bounds.cpp").toString());
    }

    private static final String KERNELS = """
            #include "jgrok_cuda.cuh"
            #define JGROK_OTHER(...) __launch_bounds__(__VA_ARGS__) \\
                not_a_kernel(
            // A comment mentioning __launch_bounds__(64) commented_out( is not a kernel.
            /* nor is __launch_bounds__(32) in_block_comment( */
            static const char* text = "__launch_bounds__(16) in_string(";
            extern "C" __global__ void __launch_bounds__(128, 2) occupancy(float* out) { out[0] = 1; }
            JGROK_REGISTER_KERNEL(occupancy);
            extern "C" __global__ void JGROK_EXACT_LAUNCH_BOUNDS(256) tree(float* out) { out[0] = 2; }
            JGROK_REGISTER_KERNEL(tree);
            extern "C" __global__ void __launch_bounds__(
                    512)
                split_over_lines(float* out) { out[0] = 3; }
            JGROK_REGISTER_KERNEL(split_over_lines);
            extern "C" __global__ void unbounded(float* out) { out[0] = 4; }
            JGROK_REGISTER_KERNEL(unbounded);
            """;

    @Test
    void generatesOneRowPerBoundedKernelAndSkipsCommentsStringsAndMacros() throws Exception {
        Result r = generate(KERNELS);
        assertEquals(0, r.exitCode, r.output);
        String cpp = Files.readString(dir.resolve("bounds.cpp"));
        assertTrue(cpp.contains("{\"occupancy\", 128, 2, false},  // k.cu:7"), cpp);
        assertTrue(cpp.contains("{\"tree\", 256, 0, true},  // k.cu:9"), cpp);
        assertTrue(cpp.contains("{\"split_over_lines\", 512, 0, false},  // k.cu:11"), cpp);
        assertTrue(cpp.contains("{nullptr, 0, 0, false},"), cpp);
        for (String absent : new String[] {"unbounded", "not_a_kernel", "commented_out", "in_block_comment",
                "in_string"}) {
            assertFalse(cpp.contains("\"" + absent + "\""), absent + " in\n" + cpp);
        }
    }

    @Test
    void aBoundThatIsNotAnIntegerLiteralFails() throws Exception {
        Result r = generate("""
                extern "C" __global__ void __launch_bounds__(THREADS) named(float* out) { out[0] = 1; }
                JGROK_REGISTER_KERNEL(named);
                """);
        assertEquals(1, r.exitCode, r.output);
        assertTrue(r.output.contains("k.cu:1: __launch_bounds__(THREADS) of named: write the bound as integer "
                + "literals"), r.output);
    }

    @Test
    void aBoundedKernelThatIsNotRegisteredFails() throws Exception {
        Result r = generate("""
                extern "C" __global__ void __launch_bounds__(256) forgotten(float* out) { out[0] = 1; }
                """);
        assertEquals(1, r.exitCode, r.output);
        assertTrue(r.output.contains("kernel forgotten has launch bounds but no JGROK_REGISTER_KERNEL(forgotten)"),
                r.output);
    }

    private static final String PTX = """
            .visible .entry occupancy(
                .param .u64 occupancy_param_0
            )
            .maxntid 128, 1, 1
            .minnctapersm 2
            {
                ret;
            }
            .visible .entry tree(
                .param .u64 tree_param_0
            )
            .maxntid 256, 1, 1
            {
                ret;
            }
            .visible .entry unbounded(
                .param .u64 unbounded_param_0
            )
            {
                ret;
            }
            """;

    @Test
    void ptxCheckPassesWhenNvccAndTheManifestAgreeAndNamesEveryDifference() throws Exception {
        Files.writeString(dir.resolve("k.ptx"), PTX);
        Files.writeString(dir.resolve("good.kernels"), "# nvcc: test\noccupancy p launch_bounds=128,2\n"
                + "tree p launch_bounds=256 exact\nunbounded p\n");
        Result good = run("check-ptx", dir.resolve("k.ptx").toString(), dir.resolve("good.kernels").toString());
        assertEquals(0, good.exitCode, good.output);

        Files.writeString(dir.resolve("bad.kernels"), "occupancy p launch_bounds=128\ntree p\n"
                + "unbounded p launch_bounds=64\n");
        Result bad = run("check-ptx", dir.resolve("k.ptx").toString(), dir.resolve("bad.kernels").toString());
        assertEquals(1, bad.exitCode, bad.output);
        assertTrue(bad.output.contains("occupancy: nvcc compiled launch bounds (128, 2), the manifest says launch "
                + "bounds (128)"), bad.output);
        assertTrue(bad.output.contains("tree: nvcc compiled launch bounds (256), the manifest says no launch bounds"),
                bad.output);
        assertTrue(bad.output.contains("unbounded: nvcc compiled no launch bounds, the manifest says launch bounds "
                + "(64)"), bad.output);
    }
}
