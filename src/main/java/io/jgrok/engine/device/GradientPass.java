package io.jgrok.engine.device;

import io.jgrok.config.GrokfastMode;
import io.jgrok.config.LossFunction;
import io.jgrok.device.Device;
import io.jgrok.engine.device.Workspace.Buf;

/**
 * One model's mean loss and gradient on an arbitrary example list (Engine.lossAndGradient): the training epoch's
 * tables, forward, cross-entropy, loss sum and backward, without the optimiser, in a workspace of its own.
 */
final class GradientPass {
    private GradientPass() {
    }

    static double lossAndGradient(Device device, Shape shape, LossFunction loss, float[] params, int[] examples,
                                  float[] grad) {
        int n = examples.length;
        if (params.length != shape.size() || grad.length != shape.size()) {
            throw new IllegalArgumentException("params and grad need " + shape.size() + " floats");
        }
        if (n == 0) {
            throw new IllegalArgumentException("no examples");
        }
        try (Workspace ws = new Workspace(device, new Workspace.Spec(shape, 1, n, n, true, GrokfastMode.NONE, 1, 1))) {
            TokenLists lists = TokenLists.of(examples, shape.p());
            device.copyToDevice(ws.ptr(Buf.PARAMS), params, 0, params.length);
            device.copyToDevice(ws.ptr(Buf.EXAMPLES), examples, 0, n);
            device.copyToDevice(ws.ptr(Buf.ROW_START), lists.rowStart(), 0, lists.rowStart().length);
            device.copyToDevice(ws.ptr(Buf.ROW_ITEMS), lists.items(), 0, lists.items().length);
            ModelPasses passes = new ModelPasses(ws, Launcher.plain(device), loss);
            passes.prepare();
            passes.forward(0, n, n, n);
            passes.lossReduce(0, n, -1, -1);
            passes.backward(n);
            device.copyToHost(grad, 0, ws.ptr(Buf.GRAD), grad.length);
            double[] ring = new double[Workspace.RING_WIDTH];
            device.copyToHost(ring, 0, ws.ptr(Buf.RING), ring.length);
            return ring[0];
        }
    }
}
