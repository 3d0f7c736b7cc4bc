package io.jgrok.device;

import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The kernels of a module with their signatures and launch bounds, in registration order. Text form
 * (kernels/jgrok.kernels and the emulator's registry): one line per kernel, {@code name letters [launch_bounds=T[,B]
 * [exact]]}, letters as in {@link KernelSignature#parse}, bounds as in {@link LaunchBounds}; lines starting with #
 * are comments ({@code # nvcc: <version>} records the compiler of the fatbin).
 */
final class KernelManifest {
    private static final Pattern BOUNDS = Pattern.compile("launch_bounds=([0-9]+)(?:,([0-9]+))?");

    private final Map<String, KernelSignature> kernels;
    private final Map<String, LaunchBounds> bounds;
    private final Map<String, Integer> indexes = new HashMap<>();
    private final String compiler;

    private KernelManifest(Map<String, KernelSignature> kernels, Map<String, LaunchBounds> bounds, String compiler) {
        this.kernels = Collections.unmodifiableMap(kernels);
        this.bounds = Collections.unmodifiableMap(bounds);
        this.compiler = compiler;
        for (String name : kernels.keySet()) {
            indexes.put(name, indexes.size());
        }
    }

    static KernelManifest parse(String text, String source) {
        Map<String, KernelSignature> kernels = new LinkedHashMap<>();
        Map<String, LaunchBounds> bounds = new HashMap<>();
        String compiler = "";
        int lineNumber = 0;
        for (String line : text.split("\n")) {
            lineNumber++;
            String trimmed = line.strip();
            if (trimmed.startsWith("# nvcc:")) {
                compiler = trimmed.substring("# nvcc:".length()).strip();
            }
            if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                continue;
            }
            String[] parts = trimmed.split("\\s+");
            String letters = "";
            int maxThreads = 0;
            int minBlocks = 0;
            boolean exact = false;
            for (int i = 1; i < parts.length; i++) {
                Matcher m = BOUNDS.matcher(parts[i]);
                if (m.matches() && maxThreads == 0) {
                    maxThreads = Integer.parseInt(m.group(1));
                    minBlocks = m.group(2) == null ? 0 : Integer.parseInt(m.group(2));
                } else if (parts[i].equals("exact") && maxThreads > 0 && !exact) {
                    exact = true;
                } else if (i == 1 && !parts[i].contains("=")) {
                    letters = parts[i];
                } else {
                    throw new DeviceException(source + ":" + lineNumber + ": expected 'name signature "
                            + "[launch_bounds=T[,B] [exact]]', got '" + trimmed + "'");
                }
            }
            KernelSignature sig = KernelSignature.parse(parts[0], letters);
            if (kernels.put(sig.name(), sig) != null) {
                throw new DeviceException(source + ": kernel " + sig.name() + " is registered twice");
            }
            bounds.put(sig.name(), maxThreads == 0 ? LaunchBounds.NONE : new LaunchBounds(maxThreads, minBlocks,
                    exact));
        }
        return new KernelManifest(kernels, bounds, compiler);
    }

    /** The nvcc that built the fatbin this manifest belongs to, or "" (the emulator's registry). */
    String compiler() {
        return compiler;
    }

    List<String> names() {
        return List.copyOf(kernels.keySet());
    }

    boolean has(String name) {
        return kernels.containsKey(name);
    }

    /** Index of the kernel in registration order (the emulator's kernel handle). */
    int indexOf(String name) {
        get(name);
        return indexes.get(name);
    }

    /** The kernel's launch bounds ({@link LaunchBounds#NONE} when it declares none). */
    LaunchBounds bounds(String name) {
        get(name);
        return bounds.get(name);
    }

    KernelSignature get(String name) {
        KernelSignature sig = kernels.get(name);
        if (sig == null) {
            throw new DeviceException("no kernel named '" + name + "' in the module (kernels are extern \"C\" "
                    + "__global__ functions in src/main/cuda/ registered with JGROK_REGISTER_KERNEL)");
        }
        return sig;
    }
}
