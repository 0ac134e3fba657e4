package org.senet4j.engine.ref;

import java.util.List;
import org.senet4j.ir.Shape;
import org.senet4j.ir.op.LSTM;
import org.senet4j.ir.op.LSTMUnit;
import org.senet4j.ir.op.Op;
import org.senet4j.ir.op.RNN;

/**
 * Caffe's recurrent layers LSTM and RNN, computed as Caffe's unrolled net computes them: the input transform of all
 * steps first (inner product with its bias added after the product), then per step the Scale of the previous hidden
 * state by {@code cont_t}, the recurrent inner product, the Eltwise SUM {@code (W_h h + W_x x_t) + W_static x_static}
 * in that order, and the step's unit: Caffe's LSTMUnit (its sigmoid {@code 1 / (1 + exp(-x))} and tanh
 * {@code 2 sigmoid(2x) - 1} in double, rounded to float; {@code c = f c_prev + i g} in float) or the TanH layers of
 * the RNN. Products accumulate in double and round once, as the reference inner product does.
 */
public final class RecurrentKernels {
    private RecurrentKernels() {
    }

    /** Runs an {@link LSTM}, {@link RNN} or {@link LSTMUnit} into the preallocated outputs. */
    public static void run(Op op, List<Shape> inShapes, List<float[]> in, List<float[]> out) {
        if (op instanceof LSTM l) {
            lstm(l, inShapes, in, out);
        } else if (op instanceof RNN r) {
            rnn(r, inShapes, in, out);
        } else if (op instanceof LSTMUnit) {
            lstmUnit(inShapes.get(0), in.get(0), in.get(1), in.get(2), out.get(0), out.get(1));
        } else {
            throw new IllegalArgumentException("not a recurrent op: " + op.opName());
        }
    }

    static void lstm(LSTM op, List<Shape> inShapes, List<float[]> in, List<float[]> out) {
        int h = op.numOutput();
        int g = 4 * h;
        int next = op.firstExtraInput();
        float[] xStatic = op.hasStaticInput() ? in.get(next++) : null;
        Inputs x = Inputs.of(inShapes.get(0), in.get(0), op.wXc().toArray(), g, op.bC().toArray(), xStatic,
                op.hasStaticInput() ? op.wXcStatic().toArray() : null);
        int steps = x.steps();
        int n = x.n();
        float[] cont = op.impliedCont() ? impliedCont(steps, n) : in.get(1);
        float[] hPrev = op.exposeHidden() ? in.get(next++).clone() : new float[n * h];
        float[] cPrev = op.exposeHidden() ? in.get(next).clone() : new float[n * h];
        float[] wHc = op.wHc().toArray();
        float[] y = out.get(0);
        float[] hc = new float[n * h];
        for (int t = 0; t < steps; t++) {
            float[] gates = x.preActivation(t, hPrev, cont, h, wHc, hc);
            cell(n, h, gates, cont, t * n, cPrev, cPrev, hPrev);
            System.arraycopy(hPrev, 0, y, t * n * h, n * h);
        }
        if (op.exposeHidden()) {
            System.arraycopy(hPrev, 0, out.get(1), 0, n * h);
            System.arraycopy(cPrev, 0, out.get(2), 0, n * h);
        }
    }

    static void rnn(RNN op, List<Shape> inShapes, List<float[]> in, List<float[]> out) {
        int h = op.numOutput();
        int next = 2;
        float[] xStatic = op.hasStaticInput() ? in.get(next++) : null;
        Inputs x = Inputs.of(inShapes.get(0), in.get(0), op.wXh().toArray(), h, op.bH().toArray(), xStatic,
                op.hasStaticInput() ? op.wXhStatic().toArray() : null);
        int n = x.n();
        float[] cont = in.get(1);
        float[] hPrev = op.exposeHidden() ? in.get(next).clone() : new float[n * h];
        float[] wHh = op.wHh().toArray();
        float[] wHo = op.wHo().toArray();
        float[] bO = op.bO().toArray();
        float[] y = out.get(0);
        float[] hc = new float[n * h];
        for (int t = 0; t < x.steps(); t++) {
            float[] pre = x.preActivation(t, hPrev, cont, h, wHh, hc);
            for (int i = 0; i < pre.length; i++) {
                hPrev[i] = (float) Math.tanh(pre[i]);
            }
            float[] o = product(hPrev, n, h, wHo, h, bO);
            for (int i = 0; i < o.length; i++) {
                y[t * n * h + i] = (float) Math.tanh(o[i]);
            }
        }
        if (op.exposeHidden()) {
            System.arraycopy(hPrev, 0, out.get(1), 0, n * h);
        }
    }

    /**
     * The input transform of a recurrent layer, computed for all steps before the first: {@code gx}, the inner product
     * of every step's input ({@code steps x n x k}) with its bias, {@code outs} values a stream and step, and
     * {@code gs}, the static input's product without bias ({@code n x outs}), or null without a static input.
     */
    private record Inputs(int steps, int n, int outs, float[] gx, float[] gs) {
        static Inputs of(Shape xs, float[] x, float[] wX, int outs, float[] bias, float[] xStatic, float[] wStatic) {
            int steps = xs.dim(0);
            int n = xs.dim(1);
            int k = Math.toIntExact(xs.count(2, xs.rank()));
            float[] gx = product(x, steps * n, k, wX, outs, bias);
            float[] gs = xStatic == null ? null : product(xStatic, n, xStatic.length / n, wStatic, outs, null);
            return new Inputs(steps, n, outs, gx, gs);
        }

        /**
         * Step {@code t}'s pre-activations ({@code n x outs}) as Caffe's unrolled net sums them: the previous hidden
         * state scaled by {@code cont_t} (into the scratch {@code hc}), its product with {@code wH}, then
         * {@code + gx_t}, then {@code + gs}, in that order.
         */
        float[] preActivation(int t, float[] hPrev, float[] cont, int h, float[] wH, float[] hc) {
            for (int s = 0; s < n; s++) {
                float ct = cont[t * n + s];
                for (int j = 0; j < h; j++) {
                    hc[s * h + j] = hPrev[s * h + j] * ct;
                }
            }
            float[] pre = product(hc, n, h, wH, outs, null);
            for (int i = 0; i < pre.length; i++) {
                pre[i] += gx[t * n * outs + i];
                if (gs != null) {
                    pre[i] += gs[i];
                }
            }
            return pre;
        }
    }

    /** The implied continuation of an LSTM without a cont bottom: T x N, 0 at step 0 and 1 after. */
    static float[] impliedCont(int steps, int streams) {
        float[] cont = new float[steps * streams];
        java.util.Arrays.fill(cont, streams, cont.length, 1f);
        return cont;
    }

    /**
     * Caffe's inner product of {@code rows x k} values with a {@code outs x k} weight: each dot product in double,
     * rounded to float, then the bias added in float.
     */
    static float[] product(float[] x, int rows, int k, float[] w, int outs, float[] bias) {
        float[] y = new float[rows * outs];
        for (int r = 0; r < rows; r++) {
            for (int o = 0; o < outs; o++) {
                double acc = 0;
                for (int i = 0; i < k; i++) {
                    acc += (double) x[r * k + i] * w[o * k + i];
                }
                y[r * outs + o] = bias == null ? (float) acc : (float) acc + bias[o];
            }
        }
        return y;
    }

    /**
     * One {@link LSTMUnit} step, as Caffe's LSTMUnitLayer::Forward_cpu computes it: per sample n and unit d the gates
     * from {@code x} (rows of 4D: i, f, o, g), {@code f} exactly 0 where {@code cont[n] == 0}, else {@code cont[n]}
     * times its sigmoid (any value of cont scales it, as in Caffe), {@code c = f c_prev + i g} in float, {@code h = o tanh(c)}.
     *
     * @param cPrevShape C_prev's shape, 1 x N x D
     */
    public static void lstmUnit(Shape cPrevShape, float[] cPrev, float[] x, float[] cont, float[] c, float[] h) {
        cell(cPrevShape.dim(1), cPrevShape.dim(2), x, cont, 0, cPrev, c, h);
    }

    /**
     * The cell step shared by LSTM (each time step is one LSTMUnit in Caffe's unrolled net) and LSTMUnit: for sample
     * s of n and unit u of d, the gates from {@code gates} (rows of 4d: i, f, o, g), the forget gate 0 where
     * {@code cont[contAt + s] == 0}, else that value times its sigmoid; {@code c = f c_prev + i g} in float,
     * {@code h = o tanh(c)}. {@code c} may be {@code cPrev} (each value is read before it is written).
     */
    private static void cell(int n, int d, float[] gates, float[] cont, int contAt, float[] cPrev, float[] c,
                             float[] h) {
        for (int s = 0; s < n; s++) {
            float ct = cont[contAt + s];
            int gate = s * 4 * d;
            int at = s * d;
            for (int u = 0; u < d; u++) {
                float ig = sigmoid(gates[gate + u]);
                float fg = ct == 0 ? 0f : ct * sigmoid(gates[gate + d + u]);
                float og = sigmoid(gates[gate + 2 * d + u]);
                float gg = tanh(gates[gate + 3 * d + u]);
                float cv = fg * cPrev[at + u] + ig * gg;
                c[at + u] = cv;
                h[at + u] = og * tanh(cv);
            }
        }
    }

    /** LSTMUnit's sigmoid: {@code 1. / (1. + exp(-x))} in double, rounded to float. */
    static float sigmoid(float x) {
        return (float) (1.0 / (1.0 + Math.exp(-(double) x)));
    }

    /** LSTMUnit's tanh: {@code 2. * sigmoid(2. * x) - 1.}, all in double, rounded to float. */
    static float tanh(float x) {
        return (float) (2.0 * (1.0 / (1.0 + Math.exp(-2.0 * x))) - 1.0);
    }
}
