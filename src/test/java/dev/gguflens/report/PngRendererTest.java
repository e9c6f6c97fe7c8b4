package dev.gguflens.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gguflens.report.PlotScene.Point;
import dev.gguflens.report.PlotScene.Stroke;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/** The PNG renderer draws the scene's elements where the scene puts them, at the scene's size. */
class PngRendererTest {

    @Test
    void theImageHasTheScenesSizeAndItsElementsInTheirColours() throws Exception {
        PlotScene scene = new PlotScene(320, 180, "t", List.of(
                new PlotScene.Rect(0, 0, 320, 180, "#ffffff", 1, null, null),
                new PlotScene.Rect(10, 10, 40, 30, "#0072B2", 1, null, null),
                new PlotScene.Marker(new Point(200, 100), PlotScene.MarkerShape.CIRCLE, 20, "#D55E00", true, null),
                new PlotScene.Marker(new Point(260, 100), PlotScene.MarkerShape.SQUARE, 20, "#009E73", false, null),
                new PlotScene.Line(new Point(100, 150), new Point(300, 150), Stroke.solid("#000000", 3), null),
                PlotScene.Text.of(10, 120, "Q4_K_M", 20, PlotScene.Anchor.START, "#000000")));
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(PngRenderer.render(scene)));
        assertEquals(320, img.getWidth());
        assertEquals(180, img.getHeight());
        assertEquals(0x0072B2, img.getRGB(30, 25) & 0xFFFFFF, "inside the filled rectangle");
        assertEquals(0xD55E00, img.getRGB(200, 100) & 0xFFFFFF, "the filled symbol's centre");
        assertEquals(0xFFFFFF, img.getRGB(260, 100) & 0xFFFFFF, "the open symbol's centre");
        assertEquals(0x000000, img.getRGB(200, 150) & 0xFFFFFF, "on the line");
        assertEquals(0xFFFFFF, img.getRGB(200, 60) & 0xFFFFFF, "the background");
        int dark = 0;
        for (int x = 10; x < 100; x++) {
            for (int y = 100; y < 125; y++) {
                if ((img.getRGB(x, y) & 0xFF) < 128) {
                    dark++;
                }
            }
        }
        assertEquals(true, dark > 100, "the text is drawn: " + dark + " dark pixels");
    }
}
