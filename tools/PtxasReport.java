// PtxasReport.java: reads the ptxas resource report that `make kernels` records (kernels/ptxas-report.txt, from
// nvcc -Xptxas -v), prints one row per kernel (registers per architecture, static shared memory, stack, spills) and
// fails the build on:
//   - a register spill (spill stores or loads > 0 on any architecture) in a kernel whose definition is not preceded
//     by a comment line `// spill-ok: <reason>` (spills in non-inlined device functions need the comment above
//     that function);
//   - a kernel compiled into the fatbin but missing from the manifest (kernels/jgrok.kernels, the emulator's
//     registry), i.e. without JGROK_REGISTER_KERNEL, or a registered kernel that nvcc did not compile.
// A single-file Java program (run as `java tools/PtxasReport.java REPORT MANIFEST CUDA_DIR [TABLE]`) so that it
// needs nothing beyond the JDK the build already has. With TABLE the resource table goes to that file and the build
// prints one line (the table is also printed when the check fails); without it the table is printed.
// Exit code 0: fine, 1: violations, 2: bad usage or input.
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

public final class PtxasReport {
    private static final Pattern ENTRY = Pattern.compile("Compiling entry function '([^']+)' for '(sm_\\d+a?)'");
    private static final Pattern PROPERTIES = Pattern.compile("Function properties for (\\S+)");
    private static final Pattern FRAME = Pattern.compile(
            "(\\d+) bytes stack frame, (\\d+) bytes spill stores, (\\d+) bytes spill loads");
    private static final Pattern USED = Pattern.compile("Used (\\d+) registers");
    private static final Pattern SMEM = Pattern.compile("(\\d+) bytes smem");

    /** What ptxas reported for one function on one architecture. */
    static final class Usage {
        int registers = -1;
        int sharedBytes;
        int stackBytes;
        int spillStores;
        int spillLoads;
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 3 && args.length != 4) {
            System.err.println("usage: java tools/PtxasReport.java REPORT MANIFEST CUDA_DIR [TABLE]");
            System.exit(2);
        }
        List<String> report = Files.readAllLines(Path.of(args[0]));
        Set<String> registered = new LinkedHashSet<>();
        for (String line : Files.readAllLines(Path.of(args[1]))) {
            if (!line.isBlank() && !line.startsWith("#")) {
                registered.add(line.strip().split(" ")[0]);
            }
        }
        Map<String, String> sources = new TreeMap<>();
        try (var files = Files.list(Path.of(args[2]))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".cu") || p.toString().endsWith(".cuh")).toList()) {
                sources.put(f.getFileName().toString(), Files.readString(f));
            }
        }

        // kernel (or device function) -> architecture -> usage
        Map<String, Map<String, Usage>> entries = new TreeMap<>();
        Map<String, Map<String, Usage>> deviceFunctions = new TreeMap<>();
        String entry = null;
        String arch = null;
        Usage current = null;
        for (String line : report) {
            Matcher m;
            if ((m = ENTRY.matcher(line)).find()) {
                entry = m.group(1);
                arch = m.group(2);
                current = entries.computeIfAbsent(entry, k -> new TreeMap<>()).computeIfAbsent(arch, k -> new Usage());
            } else if ((m = PROPERTIES.matcher(line)).find()) {
                String name = m.group(1);
                if (!name.equals(entry) && arch != null) {
                    current = deviceFunctions.computeIfAbsent(name, k -> new TreeMap<>())
                            .computeIfAbsent(arch, k -> new Usage());
                } else if (entry != null) {
                    current = entries.get(entry).get(arch);
                }
            } else if ((m = FRAME.matcher(line)).find() && current != null) {
                current.stackBytes = Integer.parseInt(m.group(1));
                current.spillStores = Integer.parseInt(m.group(2));
                current.spillLoads = Integer.parseInt(m.group(3));
            } else if ((m = USED.matcher(line)).find() && current != null) {
                current.registers = Integer.parseInt(m.group(1));
                Matcher s = SMEM.matcher(line);
                current.sharedBytes = s.find() ? Integer.parseInt(s.group(1)) : 0;
            }
        }
        if (entries.isEmpty()) {
            System.err.println("PtxasReport: no 'Compiling entry function' lines in " + args[0]
                    + " (was it written by nvcc -Xptxas -v?)");
            System.exit(2);
        }

        Set<String> archs = new java.util.TreeSet<>();
        entries.values().forEach(a -> archs.addAll(a.keySet()));
        String table = table(entries, archs);
        Path tableFile = args.length > 3 ? Path.of(args[3]) : null;
        if (tableFile == null) {
            System.out.println(table);
        } else {
            Files.writeString(tableFile, table + System.lineSeparator());
        }

        List<String> violations = new ArrayList<>();
        List<String> justified = new ArrayList<>();
        checkSpills(entries, sources, "kernel", violations, justified);
        checkSpills(deviceFunctions, sources, "device function", violations, justified);
        for (String k : entries.keySet()) {
            if (!registered.contains(k)) {
                violations.add("kernel " + k + " is compiled but not registered: add JGROK_REGISTER_KERNEL(" + k
                        + "); after its definition");
            }
        }
        for (String k : registered) {
            if (!entries.containsKey(k)) {
                violations.add("kernel " + k + " is registered but nvcc compiled no entry function of that name");
            }
        }
        justified.forEach(j -> System.out.println("spill accepted: " + j));
        if (!violations.isEmpty()) {
            if (tableFile != null) {
                System.out.println(table);
            }
            violations.forEach(v -> System.err.println("PtxasReport: " + v));
            System.exit(1);
        }
        System.out.println("PtxasReport: " + entries.size() + " kernels x " + archs.size()
                + " architectures, no unjustified spills, all registered"
                + (tableFile == null ? "" : "; registers and shared memory per kernel in " + tableFile));
    }

    private static String table(Map<String, Map<String, Usage>> entries, Set<String> archs) {
        int width = Math.max(6, entries.keySet().stream().mapToInt(String::length).max().orElse(6));
        StringBuilder sb = new StringBuilder(String.format("%-" + width + "s  %-20s %8s %8s %12s%n", "kernel",
                "registers " + String.join("/", archs.stream().map(a -> a.substring(3)).toList()), "smem B",
                "stack B", "spill st/ld"));
        for (Map.Entry<String, Map<String, Usage>> e : entries.entrySet()) {
            List<String> regs = new ArrayList<>();
            int smem = 0;
            int stack = 0;
            int stores = 0;
            int loads = 0;
            for (String a : archs) {
                Usage u = e.getValue().get(a);
                regs.add(u == null ? "-" : String.valueOf(u.registers));
                if (u != null) {
                    smem = Math.max(smem, u.sharedBytes);
                    stack = Math.max(stack, u.stackBytes);
                    stores = Math.max(stores, u.spillStores);
                    loads = Math.max(loads, u.spillLoads);
                }
            }
            sb.append(String.format("%-" + width + "s  %-20s %8d %8d %12s%n", e.getKey(), String.join("/", regs),
                    smem, stack, stores + "/" + loads));
        }
        return sb.toString().stripTrailing();
    }

    private static void checkSpills(Map<String, Map<String, Usage>> functions, Map<String, String> sources,
                                    String what, List<String> violations, List<String> justified) {
        for (Map.Entry<String, Map<String, Usage>> e : functions.entrySet()) {
            List<String> spilling = new ArrayList<>();
            e.getValue().forEach((arch, u) -> {
                if (u.spillStores > 0 || u.spillLoads > 0) {
                    spilling.add(arch + " " + u.spillStores + "/" + u.spillLoads + " bytes");
                }
            });
            if (spilling.isEmpty()) {
                continue;
            }
            String name = sourceName(e.getKey());
            String reason = spillReason(name, sources);
            String where = what + " " + name + " spills (" + String.join(", ", spilling) + ")";
            if (reason == null) {
                violations.add(where + " and its definition has no `// spill-ok: <reason>` comment above it");
            } else {
                justified.add(where + ": " + reason);
            }
        }
    }

    /** A mangled device function name (_Z<len><name>...) to its source name; kernels are extern "C" already. */
    static String sourceName(String symbol) {
        Matcher m = Pattern.compile("^_Z(\\d+)").matcher(symbol);
        if (m.find()) {
            int len = Integer.parseInt(m.group(1));
            int start = m.end();
            if (start + len <= symbol.length()) {
                return symbol.substring(start, start + len);
            }
        }
        return symbol;
    }

    /** The reason of a `// spill-ok:` comment in the comment lines right above the definition, or null. */
    static String spillReason(String name, Map<String, String> sources) {
        Pattern definition = Pattern.compile("(__global__|__device__)[^;{}]*?\\b" + Pattern.quote(name) + "\\s*\\(");
        for (String text : sources.values()) {
            Matcher m = definition.matcher(text);
            while (m.find()) {
                // The last element is the start of the definition's own line; the comment block is above it.
                String[] before = text.substring(0, m.start()).split("\n", -1);
                for (int i = before.length - 2; i >= 0; i--) {
                    String line = before[i].strip();
                    if (!line.startsWith("//")) {
                        break;
                    }
                    int at = line.indexOf("spill-ok:");
                    if (at >= 0 && !line.substring(at + "spill-ok:".length()).isBlank()) {
                        return line.substring(at + "spill-ok:".length()).strip();
                    }
                }
            }
        }
        return null;
    }
}
