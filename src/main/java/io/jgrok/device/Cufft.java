package io.jgrok.device;

import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * cuFFT's C API through JNA: batched real-to-complex transforms on device memory. Whichever libcufft is installed is
 * used: CUDA 13 ships cuFFT 12 ({@code libcufft.so.12}), CUDA 12 {@code .so.11}, CUDA 11 {@code .so.10}; all of them
 * have the five unversioned C functions used here (cufftGetVersion, cufftPlanMany, cufftSetStream, cufftExecR2C,
 * cufftDestroy), which is why this goes through JNA and not JCufft (whose native part links one cuFFT soname).
 *
 * <p>{@link #discover()} never throws: it returns the library, or a one-line reason that none could be used, and
 * callers fall back to their own kernels with that line as a notice. All five symbols are resolved when a library
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

    /** cufftType CUFFT_R2C. */
    static final int R2C = 0x2a;

    private static final String[] RESULTS = {"CUFFT_SUCCESS", "CUFFT_INVALID_PLAN", "CUFFT_ALLOC_FAILED",
        "CUFFT_INVALID_TYPE", "CUFFT_INVALID_VALUE", "CUFFT_INTERNAL_ERROR", "CUFFT_EXEC_FAILED",
        "CUFFT_SETUP_FAILED", "CUFFT_INVALID_SIZE", "CUFFT_UNALIGNED_DATA", "CUFFT_INCOMPLETE_PARAMETER_LIST",
        "CUFFT_INVALID_DEVICE", "CUFFT_PARSE_ERROR", "CUFFT_NO_WORKSPACE", "CUFFT_NOT_IMPLEMENTED",
        "CUFFT_LICENSE_ERROR", "CUFFT_NOT_SUPPORTED"};

    /** What {@link #discover} found: a library, or why none (one line, for a notice). */
    public record Discovery(Cufft library, String reason) {
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

    /** The default search: each soname through the dynamic loader, then in the toolkit directories that have it. */
    public static Discovery discover() {
        List<String> candidates = new ArrayList<>(SONAMES);
        List<String> dirs = new ArrayList<>();
        String cudaHome = System.getenv("CUDA_HOME");
        if (cudaHome != null && !cudaHome.isBlank()) {
            dirs.add(Path.of(cudaHome, "lib64").toString());
        }
        dirs.addAll(TOOLKIT_DIRS);
        for (String dir : dirs) {
            for (String name : SONAMES) {
                Path file = Path.of(dir, name);
                if (Files.isRegularFile(file)) {
                    candidates.add(file.toString());
                }
            }
        }
        return discover(candidates);
    }

    /** Tries the candidates (sonames or paths) in order; the first that loads with all five functions wins. */
    public static Discovery discover(List<String> candidates) {
        if (candidates.isEmpty()) {
            return new Discovery(null, "no cuFFT library to try");
        }
        List<String> failures = new ArrayList<>();
        for (String candidate : candidates) {
            try {
                return new Discovery(load(candidate), null);
            } catch (UnsatisfiedLinkError | DeviceException e) {
                failures.add(candidate + ": " + shortReason(candidate, e.getMessage()));
            }
        }
        return new Discovery(null, "no usable cuFFT (" + String.join("; ", failures) + ")");
    }

    private static Cufft load(String candidate) {
        NativeLibrary library = NativeLibrary.getInstance(candidate);
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
