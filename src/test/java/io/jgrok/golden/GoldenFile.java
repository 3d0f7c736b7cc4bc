package io.jgrok.golden;

import io.jgrok.config.RunConfig;
import io.jgrok.io.Safetensors;
import io.jgrok.model.ParamLayout;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.Map;

/**
 * One golden file written by tools/make_golden.py (PyTorch): a fixed state and what PyTorch computed from it.
 * Tensors named after the model's parameters are gathered into {@link ParamLayout}'s flat buffer.
 */
final class GoldenFile {
    static final String FORMAT = "jgrok-golden-1";

    final String name;
    final RunConfig config;
    final ParamLayout layout;
    final int steps;
    final int[] examples;
    private final Safetensors.Contents contents;

    private GoldenFile(String name, Safetensors.Contents contents) {
        this.name = name;
        this.contents = contents;
        Map<String, String> meta = contents.metadata();
        if (!FORMAT.equals(meta.get("format"))) {
            throw new IllegalStateException(name + ": not a " + FORMAT + " file; regenerate with "
                    + "tools/make_golden.py");
        }
        // Two threads so that the CPU engine's per-worker gradient reduction is part of what is compared.
        RunConfig.Builder b = RunConfig.fromJson(meta.get("config")).toBuilder();
        b.threads = 2;
        b.evalEvery = 1;
        this.config = b.build();
        this.layout = new ParamLayout(config);
        this.steps = Integer.parseInt(meta.get("steps"));
        float[] ex = tensor("examples").data();
        this.examples = new int[ex.length];
        for (int i = 0; i < ex.length; i++) {
            examples[i] = (int) ex[i];
            if (examples[i] != ex[i]) {
                throw new IllegalStateException(name + ": example " + i + " is not an integer: " + ex[i]);
            }
        }
    }

    /** Loads {@code src/test/resources/golden/<name>.safetensors} from the test class path. */
    static GoldenFile load(String name) {
        URL url = GoldenFile.class.getResource("/golden/" + name + ".safetensors");
        if (url == null) {
            throw new IllegalStateException("golden file " + name + " is missing; run tools/make_golden.py");
        }
        try {
            return new GoldenFile(name, Safetensors.read(Path.of(url.toURI())));
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    Safetensors.Tensor tensor(String key) {
        Safetensors.Tensor t = contents.tensors().get(key);
        if (t == null) {
            throw new IllegalStateException(name + ": no tensor " + key);
        }
        return t;
    }

    boolean has(String key) {
        return contents.tensors().containsKey(key);
    }

    /** A scalar stored as a one-element tensor (float64 in the file, read back as float32). */
    double scalar(String key) {
        return tensor(key).data()[0];
    }

    /** The tensors {@code prefix + <parameter name>} gathered into a flat buffer (alignment gaps zero). */
    float[] flat(String prefix) {
        float[] buf = new float[layout.size()];
        for (ParamLayout.Tensor t : layout.tensors()) {
            Safetensors.Tensor st = tensor(prefix + t.name());
            if (!java.util.Arrays.equals(st.shape(), t.shape())) {
                throw new IllegalStateException(name + ": " + prefix + t.name() + " has shape "
                        + st.shapeString() + ", the layout wants " + java.util.Arrays.toString(t.shape()));
            }
            System.arraycopy(st.data(), 0, buf, t.offset(), t.size());
        }
        return buf;
    }
}
