package io.jgrok.sweep;

import com.google.gson.JsonPrimitive;
import io.jgrok.config.RunConfig;

import java.nio.file.Path;
import java.util.Map;

/**
 * One run of a sweep.
 *
 * @param index     position in the spec's order (shards take the runs whose index is their number mod their count)
 * @param name      directory name under {@code SWEEP_DIR/runs/}, from the axis values
 * @param params    the axis values of this run, in the spec's axis order, as the spec wrote them
 * @param config    the resolved, validated config
 * @param initFile  weights to start from (the spec's {@code init}), or null
 * @param splitFile train indices (the spec's {@code split_file}), or null
 */
public record SweepRun(int index, String name, Map<String, JsonPrimitive> params, RunConfig config, Path initFile,
                       Path splitFile) {

    public ShapeKey shape() {
        return ShapeKey.of(config);
    }
}
