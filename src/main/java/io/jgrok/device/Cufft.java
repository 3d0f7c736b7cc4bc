package io.jgrok.device;

import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * cuFFT's C API through JNA: batched real-to-complex transforms on device memory. Whichever libcufft is installed is
 * used: CUDA 13 ships cuFFT 12 ({@code libcufft.so.12}), CUDA 12 {@code .so.11}, CUDA 11 {@code .so.10}; all of them
 * have the five unversioned C functions used here (cufftGetVersion, cufftPlanMany, cufftSetStream, cufftExecR2C,
 * cufftDestroy), which is why this goes through JNA and not JCufft (whose native part links one cuFFT soname).
 *
 * <p>{@link #discover()} never throws: it returns the library, or a one-line reason that none could be used, and
 * callers fall back to their own kernels with that line as a notice. The search order ({@link #searchOrder()}):
 * <ol>
 *   <li>an explicit library: {@code -Djgrok.cufft=PATH} or the environment variable {@code JGROK_CUFFT=PATH}
 *   ({@code jgrok gpu-check --cufft PATH} sets the former), a file or a directory holding libcufft.so.N;</li>
 *   <li>the sonames through the dynamic loader (LD_LIBRARY_PATH, ld.so.conf);</li>
 *   <li>{@code $CUDA_HOME/lib64}, {@code /usr/local/cuda/lib64}, {@code /usr/local/cuda/targets/x86_64-linux/lib};</li>
 *   <li>the CUDA wheels of Python packages (PyTorch's): {@code nvidia/cu13/lib} (CUDA 13 wheels),
 *   {@code nvidia/cufft/lib} (CUDA 12 and 11 wheels) and any other {@code nvidia/NAME/lib} under each site-packages
 *   directory {@link PythonSitePackages} finds.</li>
 * </ol>
 * A wheel's libcufft may need a library of a sibling wheel (libnvJitLink) that the loader cannot find; such a
 * dependency is loaded from the same {@code nvidia/} tree first. All five symbols are resolved when a library
 * is loaded, so a library that loads but lacks one (a wrong or broken file) is rejected there, not at the first
 * transform.
 *
 * <p>cuFFT works on device pointers in the current context: callers pass the addresses of {@link DevicePtr}s of a
 * {@link CudaDevice} and its stream ({@link CudaDevice#nativeStream()}), which also makes the device's primary
 * context current on the calling thread. cuFFT is not thread-safe per plan; like {@link Device}, one thread at a
 * time.
 */
public final class Cufft {
    /** The sonames tried, newest first. */
    public static final List<String> SONAMES = List.of("libcufft.so.12", "libcufft.so.11", "libcufft.so.10");
    /** Directories searched besides the dynamic loader's own path (toolkits are not always in ld.so.conf). */
    static final List<String> TOOLKIT_DIRS = List.of("/usr/local/cuda/lib64", "/usr/local/cuda/targets/x86_64-linux/lib");

    /** Most dependencies loaded from a wheel's tree before a library loads (libnvJitLink, libcublasLt, ...). */
    private static final int MAX_DEPENDENCIES = 4;

    /** cufftType CUFFT_R2C. */
    static final int R2C = 0x2a;

    private static final String[] RESULTS = {"CUFFT_SUCCESS", "CUFFT_INVALID_PLAN", "CUFFT_ALLOC_FAILED",
        "CUFFT_INVALID_TYPE", "CUFFT_INVALID_VALUE", "CUFFT_INTERNAL_ERROR", "CUFFT_EXEC_FAILED",
        "CUFFT_SETUP_FAILED", "CUFFT_INVALID_SIZE", "CUFFT_UNALIGNED_DATA", "CUFFT_INCOMPLETE_PARAMETER_LIST",
        "CUFFT_INVALID_DEVICE", "CUFFT_PARSE_ERROR", "CUFFT_NO_WORKSPACE", "CUFFT_NOT_IMPLEMENTED",
        "CUFFT_LICENSE_ERROR", "CUFFT_NOT_SUPPORTED"};

    /** System property naming the cuFFT library to try first (a file, or a directory holding libcufft.so.N). */
    public static final String PATH_PROPERTY = "jgrok.cufft";
    /** Environment variable with the same meaning as {@link #PATH_PROPERTY} (the property wins). */
    public static final String PATH_VARIABLE = "JGROK_CUFFT";

    /**
     * What {@link #discover} found: a library, or why none (one line, for a notice).
     *
     * @param candidates what was tried, in order (sonames and paths)
     */
    public record Discovery(Cufft library, String reason, List<String> candidates) {
        public Discovery(Cufft library, String reason) {
            this(library, reason, List.of());
        }

        public boolean found() {
            return library != null;
        }
    }

    private final String file;
    private final int version;
    private final Function planMany;
    private final Function setStream;
    private final Function execR2c;
    private final Function destroy;

    private Cufft(String file, int version, Function planMany, Function setStream, Function execR2c,
                  Function destroy) {
        this.file = file;
        this.version = version;
        this.planMany = planMany;
        this.setStream = setStream;
        this.execR2c = execR2c;
        this.destroy = destroy;
    }

    /** The default search, in {@link #searchOrder()}. */
    public static Discovery discover() {
        return discover(searchOrder());
    }

    /** The candidates {@link #discover()} tries, in order (see the class comment). */
    public static List<String> searchOrder() {
        return searchOrder(explicitPath(), System.getenv("CUDA_HOME"), PythonSitePackages.find());
    }

    /** The explicit library: the system property, else the environment variable; null when neither is set. */
    static String explicitPath() {
        String property = System.getProperty(PATH_PROPERTY);
        if (property != null && !property.isBlank()) {
            return property;
        }
        String variable = System.getenv(PATH_VARIABLE);
        return variable == null || variable.isBlank() ? null : variable;
    }

    static List<String> searchOrder(String explicit, String cudaHome, List<Path> sitePackages) {
        Set<String> candidates = new LinkedHashSet<>();
        if (explicit != null) {
            Path given = Path.of(explicit);
            if (Files.isDirectory(given)) {
                for (String name : SONAMES) {
                    candidates.add(given.resolve(name).toString());
                }
            } else {
                candidates.add(explicit);  // a missing file is reported as such by the attempt to load it
            }
        }
        candidates.addAll(SONAMES);
        List<Path> dirs = new ArrayList<>();
        if (cudaHome != null && !cudaHome.isBlank()) {
            dirs.add(Path.of(cudaHome, "lib64"));
        }
        for (String dir : TOOLKIT_DIRS) {
            dirs.add(Path.of(dir));
        }
        for (Path site : sitePackages) {
            dirs.addAll(wheelLibraryDirs(site));
        }
        for (Path dir : dirs) {
            for (String name : SONAMES) {
                Path file = dir.resolve(name);
                if (Files.isRegularFile(file)) {
                    candidates.add(file.toString());
                }
            }
        }
        return new ArrayList<>(candidates);
    }

    /** site/nvidia/cu13/lib, site/nvidia/cufft/lib, then every other site/nvidia/NAME/lib, that exist. */
    static List<Path> wheelLibraryDirs(Path site) {
        Path nvidia = site.resolve("nvidia");
        Set<Path> dirs = new LinkedHashSet<>();
        for (String preferred : new String[] {"cu13", "cufft"}) {
            Path lib = nvidia.resolve(preferred).resolve("lib");
            if (Files.isDirectory(lib)) {
                dirs.add(lib);
            }
        }
        if (Files.isDirectory(nvidia)) {
            try (DirectoryStream<Path> s = Files.newDirectoryStream(nvidia)) {
                List<Path> others = new ArrayList<>();
                for (Path p : s) {
                    if (Files.isDirectory(p.resolve("lib"))) {
                        others.add(p.resolve("lib"));
                    }
                }
                others.sort(null);
                dirs.addAll(others);
            } catch (IOException | SecurityException e) {
                // unreadable: what was found so far
            }
        }
        return new ArrayList<>(dirs);
    }

    /** Tries the candidates (sonames or paths) in order; the first that loads with all five functions wins. */
    public static Discovery discover(List<String> candidates) {
        if (candidates.isEmpty()) {
            return new Discovery(null, "no cuFFT library to try", List.of());
        }
        List<String> failures = new ArrayList<>();
        for (String candidate : candidates) {
            try {
                return new Discovery(load(candidate), null, List.copyOf(candidates));
            } catch (UnsatisfiedLinkError | DeviceException e) {
                failures.add(candidate + ": " + shortReason(candidate, e.getMessage()));
            }
        }
        return new Discovery(null, "no usable cuFFT (" + String.join("; ", failures) + ")",
                List.copyOf(candidates));
    }

    private static Cufft load(String candidate) {
        NativeLibrary library = null;
        for (int attempt = 0; library == null; attempt++) {
            try {
                library = NativeLibrary.getInstance(candidate);
            } catch (UnsatisfiedLinkError e) {
                Path dependency = attempt < MAX_DEPENDENCIES ? dependencyBeside(candidate, e.getMessage()) : null;
                if (dependency == null) {
                    throw e;
                }
                // JNA opens with RTLD_GLOBAL, so the next attempt's dlopen finds the dependency by its soname.
                NativeLibrary.getInstance(dependency.toString());
            }
        }
        Function getVersion = library.getFunction("cufftGetVersion");
        Function planMany = library.getFunction("cufftPlanMany");
        Function setStream = library.getFunction("cufftSetStream");
        Function execR2c = library.getFunction("cufftExecR2C");
        Function destroy = library.getFunction("cufftDestroy");
        IntByReference version = new IntByReference();
        int status = getVersion.invokeInt(new Object[] {version});
        if (status != 0) {
            throw new DeviceException("cufftGetVersion failed with " + result(status));
        }
        return new Cufft(candidate, version.getValue(), planMany, setStream, execR2c, destroy);
    }

    /**
     * For a library file that failed to load because a dependency ("libX.so.N: cannot open shared object file") is
     * not on the loader's path: that file in the library's own directory or in a sibling wheel's
     * ({@code nvidia/NAME/lib}), or null.
     */
    static Path dependencyBeside(String candidate, String message) {
        Path file = Path.of(candidate);
        if (!file.isAbsolute() || file.getParent() == null) {
            return null;
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("([A-Za-z0-9_.+-]+\\.so[.0-9]*): cannot open "
                + "shared object file").matcher(String.valueOf(message));
        String missing = null;
        while (m.find()) {
            if (!Path.of(m.group(1)).getFileName().toString().equals(file.getFileName().toString())) {
                missing = m.group(1);
            }
        }
        if (missing == null) {
            return null;
        }
        List<Path> dirs = new ArrayList<>();
        dirs.add(file.getParent());
        Path wheels = file.getParent().getParent() == null ? null : file.getParent().getParent().getParent();
        if (wheels != null && wheels.getFileName() != null && wheels.getFileName().toString().equals("nvidia")) {
            dirs.addAll(wheelLibraryDirs(wheels.getParent()));
        }
        for (Path dir : dirs) {
            Path dep = dir.resolve(missing);
            if (Files.isRegularFile(dep)) {
                return dep;
            }
        }
        return null;
    }

    /** The useful part of a JNA load failure: the loader's sentence, or the missing symbol. */
    static String shortReason(String candidate, String message) {
        String text = String.valueOf(message);
        int symbol = text.indexOf("undefined symbol: ");
        if (symbol >= 0) {
            return "no " + text.substring(symbol + "undefined symbol: ".length()).strip() + " in it";
        }
        for (String line : text.split("\n")) {
            String l = line.strip();
            if (l.startsWith(candidate + ": ")) {
                return l.substring(candidate.length() + 2);
            }
        }
        return text.lines().findFirst().orElse(text);
    }

    static String result(int status) {
        return status >= 0 && status < RESULTS.length ? RESULTS[status] : "cufftResult " + status;
    }

    /** The library file as it was found (a soname or a path). */
    public String file() {
        return file;
    }

    /** cufftGetVersion's number, e.g. 11300 for cuFFT 11.3.0. */
    public int version() {
        return version;
    }

    /** "cuFFT 11.3.0 (libcufft.so.11)". */
    public String description() {
        return "cuFFT " + version / 1000 + "." + version % 1000 / 100 + "." + version % 100 + " (" + file + ")";
    }

    /**
     * A plan for the batched real-to-complex transform along the first axis of x [n][columns] (unit column stride):
     * istride = ostride = columns, idist = odist = 1, batch = columns, giving the half spectra as interleaved
     * (re, im) floats [n/2 + 1][columns]. Creating a plan needs a current CUDA context (see
     * {@link CudaDevice#nativeStream()}).
     */
    public Plan planColumnsR2c(int n, int columns) {
        if (n < 2 || columns < 1) {
            throw new IllegalArgumentException("plan of " + n + " x " + columns);
        }
        IntByReference handle = new IntByReference();
        int status = planMany.invokeInt(new Object[] {handle, 1, new int[] {n}, new int[] {n}, columns, 1,
            new int[] {n / 2 + 1}, columns, 1, R2C, columns});
        check(status, "cufftPlanMany (R2C, n " + n + ", " + columns + " columns)");
        return new Plan(handle.getValue(), n, columns);
    }

    private static void check(int status, String what) {
        if (status != 0) {
            throw new DeviceException(what + " failed: " + result(status));
        }
    }

    /** One cuFFT plan; close it (cufftDestroy) before the library's context goes. */
    public final class Plan implements AutoCloseable {
        private final int handle;
        private final int n;
        private final int columns;
        private boolean closed;

        private Plan(int handle, int n, int columns) {
            this.handle = handle;
            this.n = n;
            this.columns = columns;
        }

        public int n() {
            return n;
        }

        public int columns() {
            return columns;
        }

        /** Enqueues the transform of x into spectrum on {@code stream} (a native stream handle; 0: the null stream). */
        public void execute(DevicePtr x, DevicePtr spectrum, long stream) {
            if (closed) {
                throw new DeviceException("cuFFT plan used after close");
            }
            long in = 4L * n * columns;
            long out = 8L * (n / 2 + 1) * columns;
            if (x.bytes() < in || spectrum.bytes() < out) {
                throw new IllegalArgumentException("cuFFT R2C " + n + " x " + columns + " needs " + in + " input and "
                        + out + " output bytes, got " + x.bytes() + " and " + spectrum.bytes());
            }
            check(setStream.invokeInt(new Object[] {handle, stream == 0 ? null : new Pointer(stream)}),
                    "cufftSetStream");
            check(execR2c.invokeInt(new Object[] {handle, new Pointer(x.address()), new Pointer(spectrum.address())}),
                    "cufftExecR2C (n " + n + ", " + columns + " columns)");
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                destroy.invokeInt(new Object[] {handle});
            }
        }
    }
}
