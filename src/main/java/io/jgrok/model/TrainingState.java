package io.jgrok.model;

/**
 * Everything training needs to continue bit-for-bit: parameters, AdamW moments, the number of optimiser steps
 * taken and the Grokfast filter state. All buffers share {@link ParamLayout}'s flat layout. A plain holder; callers
 * copy it when they need a snapshot.
 *
 * @param params      model parameters
 * @param adamM       AdamW first moment (exp_avg)
 * @param adamV       AdamW second moment (exp_avg_sq)
 * @param step        optimiser steps taken so far (PyTorch's state['step'])
 * @param grokfast    Grokfast state: the EMA (one buffer) or the MA window (window buffers, oldest first); may be
 *                    empty when Grokfast is off or no gradient has been seen yet
 */
public record TrainingState(float[] params, float[] adamM, float[] adamV, long step, float[][] grokfast) {

    public static TrainingState fresh(float[] params) {
        return new TrainingState(params, new float[params.length], new float[params.length], 0, new float[0][]);
    }

    public TrainingState copy() {
        float[][] g = new float[grokfast.length][];
        for (int i = 0; i < g.length; i++) {
            g[i] = grokfast[i].clone();
        }
        return new TrainingState(params.clone(), adamM.clone(), adamV.clone(), step, g);
    }
}
