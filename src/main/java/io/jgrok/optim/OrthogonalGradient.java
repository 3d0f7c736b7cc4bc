package io.jgrok.optim;

import io.jgrok.model.ParamLayout;

/**
 * ⊥Grad (Prieto et al. 2025, "Grokking at the edge of numerical stability"): per parameter tensor, the gradient's
 * component along the tensor's own weights is removed and the rest is rescaled to the gradient's norm,
 * <pre>
 *   g_perp = g - (w.g / (w.w + 1e-30)) w
 *   g'     = g_perp * ||g|| / (||g_perp|| + 1e-30)
 * </pre>
 * exactly as the authors' {@code OrthoGrad} optimiser wrapper does before its base optimiser's step (the paper's
 * equation stops at g_perp; the rescaling is in their code, which produced their figures). Scaling the weights along
 * their own direction is the "naive loss minimisation" that grows the logits until the softmax collapses; with the
 * projection the optimiser never sees that direction. Tensors are the TransformerLens tensors of {@link ParamLayout}
 * (W_Q of all heads is one tensor, as in PyTorch); the alignment gaps are left alone.
 *
 * <p>Precision: per tensor two passes of float64 sums in element order (deterministic): w.w, w.g and g.g, then
 * ||g_perp||^2 from the projected elements themselves (expanding it as g.g - (w.g)^2 / w.w would cancel
 * catastrophically late in training, when g is almost parallel to w); each element is computed in float64 and rounded
 * once to float32. The authors' code works in float32 throughout; float64 here keeps g' orthogonal to w, with the
 * norm of g, to float32 rounding. The CUDA kernel ({@code project_gradient}) computes the same with a fixed-order
 * tree per tensor, so it agrees with this to float64 rounding of the sums.
 *
 * <p>Order in an optimiser step: frozen ranges masked, Grokfast's filter, then this projection, then AdamW (whose
 * decoupled weight decay is not a gradient and is not projected). So with Grokfast, the filtered gradient g +
 * lambda mu is what is projected: the step AdamW takes is then free of the weights' direction, as ⊥Grad intends,
 * while the filter's memory holds the raw gradients it was given.
 */
public final class OrthogonalGradient {
    /** The authors' guard against 0/0 (a tensor of zeros, e.g. the biases at initialisation). */
    public static final double EPS = 1e-30;

    private OrthogonalGradient() {
    }

    /** Projects {@code grad} in place, tensor by tensor, against {@code params}. */
    public static void project(ParamLayout layout, float[] params, float[] grad) {
        for (ParamLayout.Tensor t : layout.tensors()) {
            project(params, grad, t.offset(), t.end());
        }
    }

    /** Projects grad[from, to) against params[from, to). */
    public static void project(float[] params, float[] grad, int from, int to) {
        double ww = 0;
        double wg = 0;
        double gg = 0;
        for (int i = from; i < to; i++) {
            double w = params[i];
            double g = grad[i];
            ww += w * w;
            wg += w * g;
            gg += g * g;
        }
        double c = wg / (ww + EPS);
        double pp = 0;
        for (int i = from; i < to; i++) {
            double q = grad[i] - c * params[i];
            pp += q * q;
        }
        double scale = Math.sqrt(gg) / (Math.sqrt(pp) + EPS);
        for (int i = from; i < to; i++) {
            grad[i] = (float) ((grad[i] - c * params[i]) * scale);
        }
    }
}
