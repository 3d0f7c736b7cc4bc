package io.jgrok.device;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Python's site-packages directories on this machine, found without running Python where possible: CUDA libraries
 * often exist only inside PyTorch's CUDA wheels ({@code site-packages/nvidia/...}), outside the dynamic loader's
 * path. Looked at, in order: {@code $VIRTUAL_ENV} and {@code $CONDA_PREFIX}; the prefix of every {@code python3} on
 * {@code PATH} (a venv's own, and the interpreter it links to); the user's {@code ~/.local}; {@code /usr/local},
 * {@code /usr}; virtual environments and prefixes one level under {@code /opt} ({@code /opt/NAME} and
 * {@code /opt/NAME/.venv}). Only when none of these has a site-packages directory, {@code python3 -c} is asked (ten
 * seconds at most).
 */
final class PythonSitePackages {
    private PythonSitePackages() {
    }

    /** The existing site-packages/dist-packages directories, in search order, without duplicates. */
    static List<Path> find() {
        return find(System.getenv(), true);
    }

    static List<Path> find(Map<String, String> env, boolean askPython) {
        Set<Path> prefixes = new LinkedHashSet<>();
        for (String variable : new String[] {"VIRTUAL_ENV", "CONDA_PREFIX"}) {
            String v = env.get(variable);
            if (v != null && !v.isBlank()) {
                prefixes.add(Path.of(v));
            }
        }
        String path = env.getOrDefault("PATH", "");
        for (String dir : path.split(":")) {
            if (dir.isBlank()) {
                continue;
            }
            Path python = Path.of(dir, "python3");
            if (Files.isExecutable(python)) {
                prefixes.add(Path.of(dir).toAbsolutePath().getParent());
                try {
                    Path real = python.toRealPath();
                    if (real.getParent() != null && real.getParent().getParent() != null) {
                        prefixes.add(real.getParent().getParent());
                    }
                } catch (IOException e) {
                    // a dangling link: its own directory was added
                }
            }
        }
        String home = env.get("HOME");
        if (home != null && !home.isBlank()) {
            prefixes.add(Path.of(home, ".local"));
        }
        prefixes.add(Path.of("/usr/local"));
        prefixes.add(Path.of("/usr"));
        for (Path opt : children(Path.of("/opt"))) {
            prefixes.add(opt);
            prefixes.add(opt.resolve(".venv"));
        }
        Set<Path> found = new LinkedHashSet<>();
        for (Path prefix : prefixes) {
            found.addAll(sitePackagesUnder(prefix));
        }
        if (found.isEmpty() && askPython) {
            found.addAll(askPython());
        }
        return new ArrayList<>(found);
    }

    /** prefix/lib/python3.X/{site,dist}-packages and prefix/lib/python3/dist-packages (Debian). */
    static List<Path> sitePackagesUnder(Path prefix) {
        List<Path> out = new ArrayList<>();
        for (String lib : new String[] {"lib", "lib64"}) {
            for (Path version : children(prefix.resolve(lib))) {
                String name = version.getFileName().toString();
                if (!name.startsWith("python3")) {
                    continue;
                }
                for (String kind : new String[] {"site-packages", "dist-packages"}) {
                    Path dir = version.resolve(kind);
                    if (Files.isDirectory(dir)) {
                        out.add(dir);
                    }
                }
            }
        }
        return out;
    }

    private static List<Path> children(Path dir) {
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            for (Path p : s) {
                if (Files.isDirectory(p)) {
                    out.add(p);
                }
            }
        } catch (IOException | SecurityException e) {
            return out;
        }
        out.sort(null);
        return out;
    }

    /** The interpreter's own answer, when the file system gave none. */
    private static List<Path> askPython() {
        List<Path> out = new ArrayList<>();
        try {
            Process p = new ProcessBuilder("python3", "-c",
                    "import site; print('\\n'.join(site.getsitepackages() + [site.getusersitepackages()]))")
                    .redirectErrorStream(false).start();
            p.getOutputStream().close();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return out;
            }
            for (String line : new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (!line.isBlank() && Files.isDirectory(Path.of(line.strip()))) {
                    out.add(Path.of(line.strip()));
                }
            }
        } catch (IOException e) {
            return out;  // no python3
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return out;
    }
}
