package io.jgrok.check;

import io.jgrok.device.CudaDevice;
import io.jgrok.device.CudaProbe;
import io.jgrok.device.Cufft;
import io.jgrok.device.Device;
import io.jgrok.device.DeviceException;
import io.jgrok.device.Devices;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What {@code jgrok gpu-check} records about the machine before it checks anything: the Java runtime that runs it
 * (which proves a bundle used its own), the C library, the NVIDIA driver (its release from
 * /proc/driver/nvidia/version and the CUDA version it supports), the GPU (name, compute capability, SMs, clocks,
 * memory, and the FP32 and DRAM peaks computed from them), the kernel image the driver loaded (SASS or PTX
 * JIT-compiled, with the nvcc that built the fatbin), and where cuFFT was found, or why not.
 */
final class Probe {
    private Probe() {
    }

    static Map<String, Object> collect(String kind) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("jgrok_version", version());
        Map<String, Object> java = new LinkedHashMap<>();
        java.put("version", System.getProperty("java.version"));
        java.put("vendor", System.getProperty("java.vendor"));
        java.put("home", System.getProperty("java.home"));
        java.put("vm", System.getProperty("java.vm.name"));
        r.put("java", java);
        Map<String, Object> host = new LinkedHashMap<>();
        host.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        host.put("arch", System.getProperty("os.arch"));
        host.put("glibc", glibc());
        host.put("cores", Runtime.getRuntime().availableProcessors());
        host.put("max_heap_gib", Runtime.getRuntime().maxMemory() / (double) (1L << 30));
        r.put("host", host);
        r.put("device_kind", kind);
        if (kind.equals("cuda")) {
            cuda(r);
        } else {
            try (Device device = Devices.open(kind)) {
                r.put("usable", true);
                r.put("device", device.description());
            } catch (DeviceException e) {
                r.put("usable", false);
                r.put("reason", e.getMessage());
            }
        }
        r.put("cufft", cufft());
        return r;
    }

    private static void cuda(Map<String, Object> r) {
        r.put("driver_release", driverRelease());
        CudaProbe probe = Devices.probeCuda();
        r.put("usable", probe.usable());
        r.put("reason", probe.reason());
        if (!probe.usable()) {
            return;
        }
        try (CudaDevice device = CudaDevice.open()) {
            CudaDevice.Properties p = device.properties();
            Map<String, Object> gpu = new LinkedHashMap<>();
            gpu.put("name", p.name());
            gpu.put("compute_capability", p.major() + "." + p.minor());
            gpu.put("multiprocessors", p.multiprocessors());
            gpu.put("clock_mhz", p.clockKhz() / 1000.0);
            gpu.put("memory_clock_mhz", p.memoryClockKhz() / 1000.0);
            gpu.put("memory_bus_bits", p.memoryBusBits());
            gpu.put("l2_mib", p.l2Bytes() / (double) (1 << 20));
            gpu.put("memory_gib", p.totalMemory() / (double) (1L << 30));
            gpu.put("free_memory_gib", p.freeMemory() / (double) (1L << 30));
            gpu.put("peak_fp32_gflops", p.peakFp32Gflops());
            gpu.put("peak_dram_gbps", p.peakDramGBps());
            gpu.put("peaks_from", "SMs x " + p.fp32LanesPerSm() + " FP32 lanes x 2 x boost clock; 2 x memory clock x "
                    + "bus width (device attributes)");
            r.put("gpu", gpu);
            r.put("driver_cuda_version", p.driverCudaVersion());
            Map<String, Object> kernels = new LinkedHashMap<>();
            kernels.put("image", p.image());
            kernels.put("binary_version", p.binaryVersion());
            kernels.put("ptx_version", p.ptxVersion());
            kernels.put("fatbin_kib", p.fatbinBytes() / 1024);
            kernels.put("built_by", p.compiler());
            kernels.put("count", p.kernels());
            r.put("kernels", kernels);
            r.put("device", device.description());
        } catch (DeviceException e) {
            r.put("usable", false);
            r.put("reason", e.getMessage());
        }
    }

    private static Map<String, Object> cufft() {
        Map<String, Object> c = new LinkedHashMap<>();
        Cufft.Discovery d = Cufft.discover();
        c.put("found", d.found());
        if (d.found()) {
            c.put("file", d.library().file());
            c.put("version", d.library().version());
            c.put("description", d.library().description());
        } else {
            c.put("reason", d.reason());
        }
        c.put("candidates", d.candidates());
        return c;
    }

    /** "NVRM version: NVIDIA UNIX x86_64 Kernel Module  580.159.03 ..." -> "580.159.03"; null without a driver. */
    static String driverRelease() {
        Path file = Path.of("/proc/driver/nvidia/version");
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (line.startsWith("NVRM version:")) {
                    for (String token : line.split("\\s+")) {
                        if (token.matches("[0-9]+\\.[0-9]+(\\.[0-9]+)?")) {
                            return token;
                        }
                    }
                }
            }
        } catch (IOException | SecurityException e) {
            return null;
        }
        return null;
    }

    /** The C library's version (gnu_get_libc_version), or null where there is none to ask (musl, no JNA). */
    static String glibc() {
        try {
            return com.sun.jna.Function.getFunction("c", "gnu_get_libc_version").invokeString(new Object[0], false);
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            return null;
        }
    }

    static String version() {
        String v = Probe.class.getPackage().getImplementationVersion();
        return v == null ? "development build" : v;
    }

    /** The probe as a few lines for the console. */
    @SuppressWarnings("unchecked")
    static List<String> lines(Map<String, Object> r) {
        List<String> out = new ArrayList<>();
        Map<String, Object> java = (Map<String, Object>) r.get("java");
        Map<String, Object> host = (Map<String, Object>) r.get("host");
        out.add("java " + java.get("version") + " (" + java.get("vendor") + ") at " + java.get("home") + "; "
                + host.get("os") + ", glibc " + host.get("glibc") + ", " + host.get("cores") + " cores");
        if (!Boolean.TRUE.equals(r.get("usable"))) {
            out.add("device: not usable: " + r.get("reason"));
        } else if (r.containsKey("gpu")) {
            Map<String, Object> g = (Map<String, Object>) r.get("gpu");
            Map<String, Object> k = (Map<String, Object>) r.get("kernels");
            out.add(String.format(Locale.ROOT, "%s, sm_%s, %s SMs at %.0f MHz, %.1f GiB (%.1f GiB free); peaks %.1f "
                    + "TFLOP/s FP32, %.0f GB/s DRAM", g.get("name"), String.valueOf(g.get("compute_capability"))
                    .replace(".", ""), g.get("multiprocessors"), (Double) g.get("clock_mhz"),
                    (Double) g.get("memory_gib"), (Double) g.get("free_memory_gib"),
                    (Double) g.get("peak_fp32_gflops") / 1000, (Double) g.get("peak_dram_gbps")));
            out.add("driver " + r.get("driver_release") + " (CUDA " + r.get("driver_cuda_version") + "); kernels: "
                    + k.get("image") + " (binary version " + k.get("binary_version") + ", PTX " + k.get("ptx_version")
                    + "), " + k.get("count") + " kernels, " + k.get("fatbin_kib") + " KiB fatbin built by "
                    + k.get("built_by"));
        } else {
            out.add("device: " + r.get("device"));
        }
        Map<String, Object> c = (Map<String, Object>) r.get("cufft");
        out.add(Boolean.TRUE.equals(c.get("found")) ? "cuFFT: " + c.get("description")
                : "cuFFT: none found among " + ((List<?>) c.get("candidates")).size() + " candidates (the DFT "
                + "kernels are used; gpu-check.json lists what was tried and why each failed)");
        return out;
    }
}
