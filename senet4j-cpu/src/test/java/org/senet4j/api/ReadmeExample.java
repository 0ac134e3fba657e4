package org.senet4j.api;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.senet4j.api.Classification;
import org.senet4j.api.Model;
import org.senet4j.api.nd4j.INDArrays;
import org.senet4j.api.Session;
import org.senet4j.api.SessionOptions;
import org.senet4j.engine.Precision;
import org.senet4j.preprocess.Preprocessing;

public class ReadmeExample {
    public static void main(String[] args) throws Exception {
        // a prototxt with its caffemodel; a native file loads with Model.load(Path.of("se-resnet-50.safetensors"))
        Model model = Model.load(Path.of("testdata/se_resnet_mini.prototxt"),
                        Path.of("testdata/se_resnet_mini/model.caffemodel"))
                // this small test net takes 35x35 images; SENets keep the release's 256 / 224 / BGR / mean default
                .withPreprocessing(new Preprocessing(40, 35, "BGR", List.of(104f, 117f, 123f), 1f));
        SessionOptions options = SessionOptions.on("cpu").withPrecision(Precision.FP32).withThreads(2);
        try (Session session = model.newSession(options)) {
            // plain arrays: N x C x H x W in (here 2 images), the output "prob" out
            float[] prob = session.run(new float[2 * 3 * 35 * 35]);
            System.out.println(prob.length + " probabilities");

            // ND4J arrays in and out, and any named blob of the net
            INDArray x = Nd4j.rand(DataType.FLOAT, 1, 3, 35, 35).subi(0.5).muli(100);
            Map<String, INDArray> blobs = INDArrays.run(session, x, "conv1", "prob");
            System.out.println("conv1 " + Arrays.toString(blobs.get("conv1").shape()));

            // images are decoded, resized, cropped and normalised by the model's preprocessing
            BufferedImage image = new BufferedImage(64, 48, BufferedImage.TYPE_INT_RGB);
            Classification c = session.classify(image, 3); // or session.classify(Path.of("cat.jpg"), 3)
            System.out.println("best: " + c.best());
        }
    }
}
