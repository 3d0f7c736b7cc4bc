// DistJar.java: makes the bundle's jar (make dist) from target/jgrok.jar by leaving out what a Linux x86-64 bundle
// never loads:
//   - JCuda's libraries other than the driver API's: the PTX compiler (24 MB), NVRTC and the runtime API, which jgrok
//     does not use (io.jgrok.device.CudaDevice calls the driver API only);
//   - native libraries for other platforms: JNA's com/sun/jna/<platform>/, jline's org/jline/nativ/<os>/<arch>/,
//     netlib's resources/native/<os-arch>/;
//   - the emulated device's libraries (native/*.so): the bundle carries its own build of them in lib/native/, with
//     libstdc++ linked in, and bin/jgrok points -Djgrok.emulator.dir there.
// Everything else is copied byte for byte (entries stored as they were). Prints what it dropped and the sizes.
// A single-file Java program: `java tools/dist/DistJar.java IN.jar OUT.jar`. Exit code 0 fine, 2 bad usage/input.
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

public final class DistJar {
    /** Entries the bundle does not need (see the header). */
    static final List<Pattern> DROP = List.of(
            Pattern.compile("lib/libJNvPTXCompiler-.*"),
            Pattern.compile("lib/libJNvrtc-.*"),
            Pattern.compile("lib/libJCudaRuntime-.*"),
            Pattern.compile("com/sun/jna/(?!linux-x86-64/)[^/]+-[^/]+/.+"),
            Pattern.compile("com/sun/jna/(aix|win32|darwin|sunos|freebsd|openbsd|dragonflybsd)[^/]*/.*"),
            Pattern.compile("org/jline/nativ/(?!Linux/x86_64/)[^/]+/[^/]+/.+"),
            Pattern.compile("resources/native/(?!Linux-amd64/).+"),
            Pattern.compile("native/[^/]+\\.so"));

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: java tools/dist/DistJar.java IN.jar OUT.jar");
            System.exit(2);
        }
        Path in = Path.of(args[0]);
        Path out = Path.of(args[1]);
        if (!Files.isRegularFile(in)) {
            System.err.println("DistJar: " + in + " does not exist (run make jar)");
            System.exit(2);
        }
        long droppedBytes = 0;
        int dropped = 0;
        int kept = 0;
        Path tmp = out.resolveSibling(out.getFileName() + ".tmp");
        try (ZipFile zip = new ZipFile(in.toFile());
             ZipOutputStream zout = new ZipOutputStream(Files.newOutputStream(tmp))) {
            Enumeration<? extends ZipEntry> entries = zip.entries();
            while (entries.hasMoreElements()) {
                ZipEntry e = entries.nextElement();
                if (drop(e.getName())) {
                    dropped++;
                    droppedBytes += Math.max(0, e.getSize());
                    continue;
                }
                ZipEntry copy = new ZipEntry(e.getName());
                copy.setTime(e.getTime());
                if (e.getMethod() == ZipEntry.STORED) {
                    copy.setMethod(ZipEntry.STORED);
                    copy.setSize(e.getSize());
                    copy.setCompressedSize(e.getCompressedSize());
                    copy.setCrc(e.getCrc());
                }
                zout.putNextEntry(copy);
                try (InputStream data = zip.getInputStream(e)) {
                    data.transferTo(zout);
                }
                zout.closeEntry();
                kept++;
            }
        }
        Files.move(tmp, out, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        System.out.printf(Locale.ROOT, "DistJar: %s -> %s: kept %d entries, left out %d (%.1f MB uncompressed: other "
                        + "platforms' natives, JCuda's unused libraries, the emulator's development build); %.1f MB -> "
                        + "%.1f MB%n", in, out, kept, dropped, droppedBytes / 1e6, Files.size(in) / 1e6,
                Files.size(out) / 1e6);
    }

    static boolean drop(String name) {
        for (Pattern p : DROP) {
            if (p.matcher(name).matches()) {
                return true;
            }
        }
        return false;
    }

    private DistJar() {
    }
}
