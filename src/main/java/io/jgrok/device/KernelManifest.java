package io.jgrok.device;

import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The kernels of a module with their signatures, in registration order. Text form (kernels/jgrok.kernels and the
 * emulator's registry): one line per kernel, {@code name letters}, letters as in {@link KernelSignature#parse};
 * lines starting with # are comments ({@code # nvcc: <version>} records the compiler of the fatbin).
 */
final class KernelManifest {
    private final Map<String, KernelSignature> kernels;
    private final Map<String, Integer> indexes = new HashMap<>();
    private final String compiler;

    private KernelManifest(Map<String, KernelSignature> kernels, String compiler) {
        this.kernels = Collections.unmodifiableMap(kernels);
        this.compiler = compiler;
        for (String name : kernels.keySet()) {
            indexes.put(name, indexes.size());
        }
    }

    static KernelManifest parse(String text, String source) {
        Map<String, KernelSignature> kernels = new LinkedHashMap<>();
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
            String[] parts = trimmed.split(" ");
            if (parts.length > 2) {
                throw new DeviceException(source + ":" + lineNumber + ": expected 'name signature', got '" + trimmed
                        + "'");
            }
            KernelSignature sig = KernelSignature.parse(parts[0], parts.length == 2 ? parts[1] : "");
            if (kernels.put(sig.name(), sig) != null) {
                throw new DeviceException(source + ": kernel " + sig.name() + " is registered twice");
            }
        }
        return new KernelManifest(kernels, compiler);
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

    KernelSignature get(String name) {
        KernelSignature sig = kernels.get(name);
        if (sig == null) {
            throw new DeviceException("no kernel named '" + name + "' in the module (kernels are extern \"C\" "
                    + "__global__ functions in src/main/cuda/ registered with JGROK_REGISTER_KERNEL)");
        }
        return sig;
    }
}
