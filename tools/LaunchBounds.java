// LaunchBounds.java: every kernel's launch bounds, read from the kernel sources, for the emulated device and the
// kernel manifest; and the check that nvcc compiled the same bounds.
//
// nvcc honours __launch_bounds__(maxThreads[, minBlocksPerSM]) and a GPU refuses a larger block; the host compiler
// of the emulated device does not see the attribute at all (cuda_emu.h expands it to nothing). So that a kernel that
// assumes its block size fails the same way on both devices, the build reads the bounds from the source text:
//
//   generate CUDA_DIR OUT.cpp   writes OUT.cpp, a table {name, max threads, min blocks, exact} linked into the
//                               emulator's kernel library (emu_module.cpp merges it into the registry, from which the
//                               manifest kernels/jgrok.kernels and the emulated device read it). Fails when a bound
//                               is not made of integer literals, or names a kernel that is not registered.
//   check-ptx PTX MANIFEST      compares the .maxntid / .minnctapersm nvcc wrote into the PTX with the manifest's
//                               launch_bounds (run by `make kernels`): the scan and nvcc must agree on every kernel.
//
// Two spellings are recognised before a kernel's name: __launch_bounds__(N[, M]) (at most N threads per block) and
// JGROK_EXACT_LAUNCH_BOUNDS(N[, M]) (jgrok_cuda.cuh: the same bound, and the kernel needs exactly N threads, e.g. a
// fixed 256-wide tree in shared memory). Comments, string literals and preprocessor lines are skipped.
// A single-file Java program (run as `java tools/LaunchBounds.java ...`) so that it needs nothing beyond the JDK.
// Exit code 0: fine, 1: violations, 2: bad usage or input.
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

public final class LaunchBounds {
    /** One kernel's bound, where it was declared. */
    record Bound(String kernel, int maxThreads, int minBlocks, boolean exact, String where) {
    }

    private static final Pattern BOUND = Pattern.compile(
            "\\b(__launch_bounds__|JGROK_EXACT_LAUNCH_BOUNDS)\\s*\\(([^()]*)\\)\\s*([A-Za-z_]\\w*)\\s*\\(");
    private static final Pattern REGISTER = Pattern.compile(
            "\\bJGROK_REGISTER_KERNEL\\s*\\(\\s*([A-Za-z_]\\w*)\\s*\\)");
    private static final Pattern INTEGER = Pattern.compile("[0-9]+");

    public static void main(String[] args) throws IOException {
        if (args.length == 3 && args[0].equals("generate")) {
            List<String> errors = new ArrayList<>();
            List<Bound> bounds = scan(Path.of(args[1]), errors);
            if (!errors.isEmpty()) {
                errors.forEach(e -> System.err.println("launch bounds: " + e));
                System.exit(1);
            }
            Path out = Path.of(args[2]);
            Path tmp = out.resolveSibling(out.getFileName() + ".tmp");
            Files.writeString(tmp, cpp(bounds));
            Files.move(tmp, out, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } else if (args.length == 3 && args[0].equals("check-ptx")) {
            List<String> errors = checkPtx(Files.readString(Path.of(args[1])), Files.readString(Path.of(args[2])));
            if (!errors.isEmpty()) {
                errors.forEach(e -> System.err.println("launch bounds: " + e));
                System.err.println("launch bounds: the bounds read from the sources (tools/LaunchBounds.java) and the "
                        + "ones nvcc compiled differ; the emulated device would enforce the wrong ones");
                System.exit(1);
            }
            System.out.println("launch bounds: nvcc's .maxntid/.minnctapersm agree with the manifest for every kernel");
        } else {
            System.err.println("usage: java tools/LaunchBounds.java generate CUDA_DIR OUT.cpp\n"
                    + "       java tools/LaunchBounds.java check-ptx PTX MANIFEST");
            System.exit(2);
        }
    }

    /** The bounds of every kernel in the .cu and .cuh files of {@code dir} (file name order). */
    static List<Bound> scan(Path dir, List<String> errors) throws IOException {
        Map<String, String> sources = new LinkedHashMap<>();
        try (var files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".cu") || p.toString().endsWith(".cuh")).sorted()
                    .toList()) {
                sources.put(f.getFileName().toString(), code(Files.readString(f)));
            }
        }
        Set<String> registered = new HashSet<>();
        for (String code : sources.values()) {
            Matcher m = REGISTER.matcher(code);
            while (m.find()) {
                registered.add(m.group(1));
            }
        }
        List<Bound> bounds = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (Map.Entry<String, String> e : sources.entrySet()) {
            String code = e.getValue();
            Matcher m = BOUND.matcher(code);
            while (m.find()) {
                String where = e.getKey() + ":" + line(code, m.start());
                String kernel = m.group(3);
                String[] parts = m.group(2).split(",");
                List<Integer> values = new ArrayList<>();
                for (String part : parts) {
                    String v = part.strip();
                    if (!INTEGER.matcher(v).matches()) {
                        errors.add(where + ": " + m.group(1) + "(" + m.group(2).strip() + ") of " + kernel + ": write "
                                + "the bound as integer literals (the emulated device reads it from the source text)");
                        values = null;
                        break;
                    }
                    values.add(Integer.parseInt(v));
                }
                if (values == null) {
                    continue;
                }
                if (values.size() > 2 || values.get(0) < 1 || values.get(0) > 1024) {
                    errors.add(where + ": " + m.group(1) + "(" + m.group(2).strip() + ") of " + kernel + ": expected "
                            + "(maxThreads[, minBlocksPerSM]) with 1 <= maxThreads <= 1024");
                    continue;
                }
                if (!registered.contains(kernel)) {
                    errors.add(where + ": kernel " + kernel + " has launch bounds but no JGROK_REGISTER_KERNEL("
                            + kernel + ")");
                    continue;
                }
                if (!seen.add(kernel)) {
                    errors.add(where + ": kernel " + kernel + " has launch bounds twice");
                    continue;
                }
                bounds.add(new Bound(kernel, values.get(0), values.size() > 1 ? values.get(1) : 0,
                        m.group(1).equals("JGROK_EXACT_LAUNCH_BOUNDS"), where));
            }
        }
        return bounds;
    }

    /**
     * The source with comments, string and character literals and preprocessor lines replaced by spaces (newlines
     * kept, so offsets still give line numbers).
     */
    static String code(String source) {
        StringBuilder out = new StringBuilder(source.length());
        int n = source.length();
        boolean lineStart = true;
        for (int i = 0; i < n; ) {
            char c = source.charAt(i);
            if (lineStart && (c == ' ' || c == '\t')) {
                out.append(c);
                i++;
                continue;
            }
            if (lineStart && c == '#') {
                // a preprocessor line, with its continuations
                while (i < n && source.charAt(i) != '\n') {
                    if (source.charAt(i) == '\\' && i + 1 < n && source.charAt(i + 1) == '\n') {
                        out.append(' ').append('\n');
                        i += 2;
                        continue;
                    }
                    out.append(' ');
                    i++;
                }
                continue;
            }
            lineStart = false;
            if (c == '\n') {
                out.append(c);
                lineStart = true;
                i++;
            } else if (c == '/' && i + 1 < n && source.charAt(i + 1) == '/') {
                while (i < n && source.charAt(i) != '\n') {
                    out.append(' ');
                    i++;
                }
            } else if (c == '/' && i + 1 < n && source.charAt(i + 1) == '*') {
                int end = source.indexOf("*/", i + 2);
                end = end < 0 ? n : end + 2;
                for (; i < end; i++) {
                    out.append(source.charAt(i) == '\n' ? '\n' : ' ');
                }
            } else if (c == '"' || c == '\'') {
                out.append(' ');
                i++;
                while (i < n && source.charAt(i) != c && source.charAt(i) != '\n') {
                    if (source.charAt(i) == '\\' && i + 1 < n) {
                        out.append(' ');
                        i++;
                    }
                    out.append(' ');
                    i++;
                }
                if (i < n && source.charAt(i) == c) {
                    out.append(' ');
                    i++;
                }
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    private static int line(String text, int offset) {
        int line = 1;
        for (int i = 0; i < offset; i++) {
            if (text.charAt(i) == '\n') {
                line++;
            }
        }
        return line;
    }

    static String cpp(List<Bound> bounds) {
        StringBuilder sb = new StringBuilder();
        sb.append("// Generated by tools/LaunchBounds.java from the kernel sources: each kernel's launch bounds,\n")
                .append("// for the emulated device (emu_module.cpp merges them into the kernel registry).\n")
                .append("// Do not edit.\n")
                .append("#include \"emu_kernel.h\"\n\n")
                .append("extern const cuda_emu::LaunchBounds jgrok_emu_launch_bounds[] = {\n");
        for (Bound b : bounds) {
            sb.append(String.format("    {\"%s\", %d, %d, %s},  // %s%n", b.kernel(), b.maxThreads(), b.minBlocks(),
                    b.exact() ? "true" : "false", b.where()));
        }
        sb.append("    {nullptr, 0, 0, false},\n};\n");
        return sb.toString();
    }

    private static final Pattern PTX_ENTRY = Pattern.compile("\\.entry\\s+([A-Za-z_]\\w*)\\s*\\(");
    private static final Pattern MAXNTID = Pattern.compile("\\.maxntid\\s+(\\d+)\\s*,\\s*(\\d+)\\s*,\\s*(\\d+)");
    private static final Pattern MINNCTA = Pattern.compile("\\.minnctapersm\\s+(\\d+)");
    private static final Pattern ATTRIBUTE = Pattern.compile("launch_bounds=(\\d+)(?:,(\\d+))?");

    /** Differences between the PTX's per-entry bounds and the manifest's launch_bounds attributes. */
    static List<String> checkPtx(String ptx, String manifest) {
        Map<String, int[]> compiled = new LinkedHashMap<>();  // kernel -> {max threads (0: none), min blocks}
        Matcher entry = PTX_ENTRY.matcher(ptx);
        List<int[]> starts = new ArrayList<>();
        List<String> names = new ArrayList<>();
        while (entry.find()) {
            starts.add(new int[] {entry.start()});
            names.add(entry.group(1));
        }
        for (int i = 0; i < names.size(); i++) {
            int from = starts.get(i)[0];
            int body = ptx.indexOf('{', from);
            String header = ptx.substring(from, body < 0 ? ptx.length() : body);
            Matcher max = MAXNTID.matcher(header);
            Matcher min = MINNCTA.matcher(header);
            int threads = max.find() ? Integer.parseInt(max.group(1)) * Integer.parseInt(max.group(2))
                    * Integer.parseInt(max.group(3)) : 0;
            compiled.put(names.get(i), new int[] {threads, min.find() ? Integer.parseInt(min.group(1)) : 0});
        }
        List<String> errors = new ArrayList<>();
        if (compiled.isEmpty()) {
            errors.add("no .entry in the PTX");
            return errors;
        }
        for (String line : manifest.split("\n")) {
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#")) {
                continue;
            }
            String kernel = l.split("\\s+")[0];
            Matcher a = ATTRIBUTE.matcher(l);
            int threads = 0;
            int blocks = 0;
            if (a.find()) {
                threads = Integer.parseInt(a.group(1));
                blocks = a.group(2) == null ? 0 : Integer.parseInt(a.group(2));
            }
            int[] c = compiled.get(kernel);
            if (c == null) {
                continue;  // PtxasReport names kernels that nvcc did not compile
            }
            if (c[0] != threads || c[1] != blocks) {
                errors.add(String.format("%s: nvcc compiled %s, the manifest says %s", kernel, describe(c[0], c[1]),
                        describe(threads, blocks)));
            }
        }
        return errors;
    }

    private static String describe(int threads, int blocks) {
        return threads == 0 ? "no launch bounds" : "launch bounds (" + threads + (blocks > 0 ? ", " + blocks : "")
                + ")";
    }
}
