package io.jgrok.torch;

import io.jgrok.UserError;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The TransformerLens demo file's {@code model} beside its {@code checkpoints}: it becomes the checkpoint of the
 * last epoch when there is none, is only compared when there is one (a difference is noted, the checkpoint kept),
 * and must be the same model as the checkpoints either way.
 */
class TlDemoModelTest {
    private static final StateDicts.Shape SHAPE = new StateDicts.Shape(5, 8, 2, 16, 5);

    private static float[] weights(long seed) {
        Random r = new Random(seed);
        io.jgrok.model.ParamLayout layout = SHAPE.layout();
        float[] w = new float[layout.size()];
        for (String name : StateDicts.PARAMS) {
            for (int i = layout.tensor(name).offset(); i < layout.tensor(name).end(); i++) {
                w[i] = (float) r.nextGaussian();
            }
        }
        return w;  // the padding between tensors stays zero, as in jgrok's buffers
    }

    private static Map<String, Object> demo(List<float[]> checkpoints, List<Long> epochs, Map<String, Object> model,
                                            int epochCount) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("model", model);
        root.put("checkpoints", checkpoints.stream().map(w -> (Object) StateDicts.fromParams(w, SHAPE,
                StateDicts.Orientation.TRANSFORMER_LENS)).toList());
        root.put("checkpoint_epochs", epochs);
        root.put("train_losses", java.util.Collections.nCopies(epochCount, 1.0));
        return root;
    }

    @Test
    void aModelAfterTheLastCheckpointBecomesOne() {
        float[] a = weights(1);
        float[] last = weights(2);
        TorchRun run = TorchRun.of(demo(List.of(a), List.of(4L), StateDicts.fromParams(last, SHAPE,
                StateDicts.Orientation.TRANSFORMER_LENS), 10), "demo.pth", 0);
        assertEquals(List.of(4L, 9L), List.copyOf(run.checkpoints.keySet()));
        assertArrayEquals(last, run.checkpoints.get(9L));
    }

    @Test
    void aModelThatDiffersFromTheLastCheckpointIsNotedAndTheCheckpointKept() {
        float[] a = weights(1);
        float[] b = weights(2);
        TorchRun run = TorchRun.of(demo(List.of(a, b), List.of(4L, 9L), StateDicts.fromParams(a, SHAPE,
                StateDicts.Orientation.TRANSFORMER_LENS), 10), "demo.pth", 0);
        assertArrayEquals(b, run.checkpoints.get(9L));
        assertTrue(run.notes.stream().anyMatch(n -> n.contains("'model' differs from the checkpoint of epoch 9")),
                run.notes.toString());
    }

    @Test
    void aModelOfAnotherShapeIsRefused() {
        StateDicts.Shape wider = new StateDicts.Shape(5, 8, 2, 32, 5);
        float[] other = new float[wider.layout().size()];
        Map<String, Object> root = demo(List.of(weights(1), weights(2)), List.of(4L, 9L),
                StateDicts.fromParams(other, wider, StateDicts.Orientation.TRANSFORMER_LENS), 10);
        UserError e = assertThrows(UserError.class, () -> TorchRun.of(root, "demo.pth", 0));
        assertTrue(e.getMessage().contains("demo.pth: model") && e.getMessage().contains("differs from the file's "
                + "first model"), e.getMessage());
    }
}
