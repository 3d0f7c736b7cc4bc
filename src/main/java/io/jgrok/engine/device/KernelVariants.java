package io.jgrok.engine.device;

import io.jgrok.UserError;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

/**
 * Which version of each kernel that has more than one the device engine launches. Following llm.c, a kernel gets a
 * second version only as a candidate to measure against the first; a GPU measurement ({@code jgrok gpu-check}, which
 * profiles every version) picks the winner, the loser is deleted, and until then the shipped default stays the first
 * version (src/main/cuda/NOTES.md records each version, its prediction and its measurement).
 *
 * <p>One selection mechanism, for any device command ({@code train}, {@code sweep}, {@code analyze}'s forward pass,
 * gpu-check's children): the environment variable {@code JGROK_KERNELS} (or {@code -Djgrok.kernels=}), a comma
 * separated list of {@code kernel=version}, or a single version name for every kernel that has it, e.g.
 * {@code JGROK_KERNELS=warp} or {@code JGROK_KERNELS=column_sums=warp,backward_query=thread}. The engine's description
 * (printed at start, kept in logs/run_info.json) names the versions when they are not the defaults. The versions of a
 * kernel compute the same thing in a different order of float32 additions: each is bit-reproducible on its own, and
 * they agree within float32 rounding (checked on the emulated device against a float64 reference and each other).
 */
public record KernelVariants(Map<Kernel, String> chosen) {
    /** The environment variable, and the system property that overrides it. */
    public static final String VARIABLE = "JGROK_KERNELS";
    public static final String PROPERTY = "jgrok.kernels";

    /** A kernel with more than one version: its name, its versions (the first is the default), and their names. */
    public enum Kernel {
        TABLES_ATTENTION("tables_attention", List.of("thread", "warp")),
        COLUMN_SUMS("column_sums", List.of("thread", "warp")),
        BACKWARD_QUERY("backward_query", List.of("thread", "warp"));

        private final String kernel;
        private final List<String> versions;

        Kernel(String kernel, List<String> versions) {
            this.kernel = kernel;
            this.versions = versions;
        }

        /** The kernel's name in src/main/cuda/ (its default version's name). */
        public String kernelName() {
            return kernel;
        }

        public List<String> versions() {
            return versions;
        }

        public String defaultVersion() {
            return versions.get(0);
        }

        /** The registered kernel that runs {@code version}: the name, or name_version for the others. */
        String kernelOf(String version) {
            return version.equals(defaultVersion()) ? kernel : kernel + "_" + version;
        }
    }

    public KernelVariants {
        Map<Kernel, String> all = new EnumMap<>(Kernel.class);
        for (Kernel k : Kernel.values()) {
            String v = chosen.getOrDefault(k, k.defaultVersion());
            if (!k.versions.contains(v)) {
                throw new IllegalArgumentException(k.kernel + " has no version " + v);
            }
            all.put(k, v);
        }
        chosen = java.util.Collections.unmodifiableMap(all);
    }

    /** The shipped versions: the first of each kernel. */
    public static final KernelVariants DEFAULTS = new KernelVariants(Map.of());

    /** Every kernel at its last (newest) version: the candidates gpu-check measures against the defaults. */
    public static KernelVariants candidates() {
        Map<Kernel, String> m = new EnumMap<>(Kernel.class);
        for (Kernel k : Kernel.values()) {
            m.put(k, k.versions.get(k.versions.size() - 1));
        }
        return new KernelVariants(m);
    }

    private static volatile KernelVariants selected;

    /** The versions chosen by {@code JGROK_KERNELS} / {@code -Djgrok.kernels} (defaults when unset); parsed once. */
    public static KernelVariants selected() {
        KernelVariants s = selected;
        if (s == null) {
            String value = System.getProperty(PROPERTY);
            String source = "-D" + PROPERTY;
            if (value == null) {
                value = System.getenv(VARIABLE);
                source = VARIABLE;
            }
            s = value == null || value.isBlank() ? DEFAULTS : parse(value, source);
            selected = s;
        }
        return s;
    }

    /**
     * Parses {@code kernel=version,...} or a single version name; a {@link UserError} saying what is allowed for
     * anything else.
     */
    public static KernelVariants parse(String value, String source) {
        Map<Kernel, String> m = new EnumMap<>(Kernel.class);
        String spec = value.strip().toLowerCase(Locale.ROOT);
        if (!spec.contains("=")) {
            boolean any = false;
            for (Kernel k : Kernel.values()) {
                if (k.versions.contains(spec)) {
                    m.put(k, spec);
                    any = true;
                }
            }
            if (!any) {
                throw new UserError(source + "=" + value + ": no kernel has a version '" + spec + "'; " + allowed());
            }
            return new KernelVariants(m);
        }
        for (String item : spec.split(",")) {
            String[] kv = item.strip().split("=", -1);
            Kernel kernel = kv.length == 2 ? byName(kv[0].strip()) : null;
            if (kernel == null) {
                throw new UserError(source + "=" + value + ": '" + item.strip() + "' is not kernel=version; "
                        + allowed());
            }
            String version = kv[1].strip();
            if (!kernel.versions.contains(version)) {
                throw new UserError(source + "=" + value + ": " + kernel.kernel + " has no version '" + version
                        + "'; " + allowed());
            }
            if (m.put(kernel, version) != null) {
                throw new UserError(source + "=" + value + ": " + kernel.kernel + " is named twice");
            }
        }
        return new KernelVariants(m);
    }

    private static Kernel byName(String name) {
        for (Kernel k : Kernel.values()) {
            if (k.kernel.equals(name)) {
                return k;
            }
        }
        return null;
    }

    /** "kernels and versions: tables_attention (thread, warp), ...", for error messages. */
    static String allowed() {
        StringJoiner j = new StringJoiner(", ", "kernels and versions (the first is the default): ", "");
        for (Kernel k : Kernel.values()) {
            j.add(k.kernel + " (" + String.join(", ", k.versions) + ")");
        }
        return j.toString();
    }

    public String version(Kernel k) {
        return chosen.get(k);
    }

    /** The registered kernel to launch for {@code k}. */
    String kernelName(Kernel k) {
        return k.kernelOf(version(k));
    }

    /** The suffix of the profile label of {@code k}'s launch: "" for the default version, " [version]" otherwise. */
    String labelSuffix(Kernel k) {
        String v = version(k);
        return v.equals(k.defaultVersion()) ? "" : " [" + v + "]";
    }

    public boolean isDefault() {
        return chosen.entrySet().stream().allMatch(e -> e.getValue().equals(e.getKey().defaultVersion()));
    }

    /** The versions that are not the defaults, e.g. {@code column_sums=warp}, or "default kernel versions". */
    public String describe() {
        Map<String, String> changed = new LinkedHashMap<>();
        chosen.forEach((k, v) -> {
            if (!v.equals(k.defaultVersion())) {
                changed.put(k.kernel, v);
            }
        });
        if (changed.isEmpty()) {
            return "default kernel versions";
        }
        StringJoiner j = new StringJoiner(",", "kernel versions ", "");
        changed.forEach((k, v) -> j.add(k + "=" + v));
        return j.toString();
    }

    /** Clears the cached selection (tests that set the property). */
    static void forgetSelection() {
        selected = null;
    }
}
