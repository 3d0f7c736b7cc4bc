package io.jgrok.engine.cpu;

import io.jgrok.TestConfigs;
import io.jgrok.config.RunConfig;
import io.jgrok.model.ParamLayout;
import org.junit.jupiter.api.Test;

import java.util.Random;

/**
 * The reference backward pass against central finite differences of the reference loss, in float64, for every
 * parameter of small models on random inputs. (The optimised engine is then checked against this reference in
 * {@link CpuEngineVsReferenceTest}.)
 */
class GradientCheckTest {

    @Test
    void referenceGradientMatchesFiniteDifferencesSmallModel() {
        check(TestConfigs.small(7, 8, 2, 16), 1);
    }

    @Test
    void referenceGradientMatchesFiniteDifferencesWithoutEqualsLogit() {
        check(TestConfigs.with(TestConfigs.small(5, 6, 3, 10), b -> b.equalsLogit = false), 2);
    }

    @Test
    void referenceGradientMatchesFiniteDifferencesOneHead() {
        check(TestConfigs.small(11, 4, 1, 8), 3);
    }

    private static void check(RunConfig config, long seed) {
        ParamLayout layout = new ParamLayout(config);
        ReferenceModel ref = new ReferenceModel(layout);
        Random rnd = new Random(seed);
        double[] params = RandomWeights.doubles(layout, rnd, 0.7);
        int[] examples = RandomWeights.examples(config.p(), 12, rnd);
        ReferenceGradientCheck.assertMatchesFiniteDifferences(ref, layout, params, examples);
    }
}
