package io.jgrok.device;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Where jgrok looks for cuFFT, without a GPU: an explicit path first, then the loader, the toolkit directories, and
 * the CUDA wheels of Python packages (on GPU images cuFFT often exists only inside PyTorch's wheels), with fake
 * libraries laid out as those wheels lay them out; and the site-packages directories found without running Python.
 */
class CufftSearchTest {
    @TempDir
    Path tmp;

    @Test
    void theSearchOrderIsExplicitLoaderToolkitThenWheels() throws IOException {
        Path site = tmp.resolve("venv/lib/python3.12/site-packages");
        Path cu13 = Files.createDirectories(site.resolve("nvidia/cu13/lib"));
        Path cu12 = Files.createDirectories(site.resolve("nvidia/cufft/lib"));
        Files.createDirectories(site.resolve("nvidia/cublas/lib"));
        Files.writeString(cu13.resolve("libcufft.so.12"), "");
        Files.writeString(cu12.resolve("libcufft.so.11"), "");
        Path cudaHome = Files.createDirectories(tmp.resolve("cuda/lib64"));
        Files.writeString(cudaHome.resolve("libcufft.so.11"), "");
        Path explicit = tmp.resolve("my/libcufft.so.12");
        List<String> order = Cufft.searchOrder(explicit.toString(), tmp.resolve("cuda").toString(), List.of(site));
        List<String> expected = new ArrayList<>();
        expected.add(explicit.toString());
        expected.addAll(Cufft.SONAMES);
        expected.add(cudaHome.resolve("libcufft.so.11").toString());
        expected.add(cu13.resolve("libcufft.so.12").toString());
        expected.add(cu12.resolve("libcufft.so.11").toString());
        assertEquals(expected, order.stream().filter(c -> !c.startsWith("/usr/local/cuda")).toList());

        // A directory as the explicit path: each soname in it, newest first.
        List<String> fromDir = Cufft.searchOrder(cu12.toString(), null, List.of());
        assertEquals(cu12.resolve("libcufft.so.12").toString(), fromDir.get(0));
        assertEquals(cu12.resolve("libcufft.so.10").toString(), fromDir.get(2));
    }

    @Test
    void aCufftInsideACuda13WheelIsFoundAndLoaded() {
        Path site = tmp.resolve("site-packages");
        Path lib = FakeCufft.build(site.resolve("nvidia/cu13/lib"), "libcufft.so.12", "FAKE_VERSION=12001");
        List<String> order = Cufft.searchOrder(null, null, List.of(site));
        assertTrue(order.contains(lib.toString()), order.toString());
        // The sonames come first (a real cuFFT on the loader's path wins, and JNA may answer a soname with a fake
        // another test loaded in this JVM): discover from the wheel's entries on.
        Cufft.Discovery d = Cufft.discover(order.subList(order.indexOf(lib.toString()), order.size()));
        assertTrue(d.found(), d.reason());
        assertEquals(lib.toString(), d.library().file());
        assertEquals(12001, d.library().version());
    }

    @Test
    void aDependencyInASiblingWheelIsLoadedFirst() throws Exception {
        Path site = tmp.resolve("deps/site-packages");
        Path depDir = Files.createDirectories(site.resolve("nvidia/nvjitlink/lib"));
        Path libDir = Files.createDirectories(site.resolve("nvidia/cu13/lib"));
        Path depSource = tmp.resolve("dep.c");
        Files.writeString(depSource, "int jgrok_fake_dependency(void) { return 7; }\n");
        cc("-shared", "-fPIC", "-o", depDir.resolve("libjgrokfakedep.so.1").toString(),
                "-Wl,-soname,libjgrokfakedep.so.1", depSource.toString());
        Path lib = libDir.resolve("libcufft.so.12");
        cc("-shared", "-fPIC", "-o", lib.toString(), "-DFAKE_VERSION=12002", FakeCufft.SOURCE.toAbsolutePath()
                .toString(), "-L" + depDir, "-Wl,--no-as-needed", "-l:libjgrokfakedep.so.1", "-lm");
        String reason = Cufft.discover(List.of(depDir.resolve("missing.so").toString())).reason();
        assertTrue(reason.contains("missing.so"), reason);
        Path dep = Cufft.dependencyBeside(lib.toString(), "Unable to load library '" + lib + "': " + lib
                + ": libjgrokfakedep.so.1: cannot open shared object file: No such file or directory");
        assertEquals(depDir.resolve("libjgrokfakedep.so.1"), dep);
        Cufft.Discovery d = Cufft.discover(List.of(lib.toString()));
        assertTrue(d.found(), d.reason());
        assertEquals(12002, d.library().version());
    }

    @Test
    void sitePackagesAreFoundWithoutRunningPython() throws IOException {
        Path venv = tmp.resolve("venv");
        Path site = Files.createDirectories(venv.resolve("lib/python3.12/site-packages"));
        Path bin = Files.createDirectories(venv.resolve("bin"));
        Path python = bin.resolve("python3");
        Files.writeString(python, "#!/bin/sh\nexit 1\n");
        Files.setPosixFilePermissions(python, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path conda = Files.createDirectories(tmp.resolve("conda/lib/python3.11/site-packages"));
        List<Path> found = PythonSitePackages.find(Map.of("PATH", bin.toString(), "CONDA_PREFIX",
                tmp.resolve("conda").toString(), "HOME", tmp.resolve("home").toString()), false);
        assertEquals(conda, found.get(0), found.toString());
        assertEquals(site, found.get(1), found.toString());
        assertTrue(PythonSitePackages.sitePackagesUnder(tmp.resolve("nothing")).isEmpty());
    }

    private static void cc(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("cc"));
        command.addAll(List.of(args));
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            Assumptions.abort("no C compiler (" + e.getMessage() + ")");
            return;
        }
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "cc " + command + ": " + log);
    }
}
