package io.switchboard.provider.builtin;

import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import javax.imageio.ImageIO;

/**
 * Draws a PNG from a prompt: a gradient and a few circles whose colours and places come from
 * the prompt's hash, so the same prompt draws the same picture.
 */
final class BuiltinImages {

    static final int MAX_SIDE = 2048;

    private BuiltinImages() {}

    static String pngBase64(String prompt, int index, int width, int height) {
        long seed = prompt.hashCode() * 31L + index;
        var random = new java.util.SplittableRandom(seed);
        var image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setPaint(new GradientPaint(0, 0, color(random), width, height, color(random)));
            g.fillRect(0, 0, width, height);
            int side = Math.min(width, height);
            for (int i = 0; i < 5; i++) {
                int diameter = side / 8 + random.nextInt(Math.max(1, side / 3));
                g.setColor(color(random));
                g.fillOval(
                        random.nextInt(Math.max(1, width - diameter / 2)),
                        random.nextInt(Math.max(1, height - diameter / 2)),
                        diameter,
                        diameter);
            }
        } finally {
            g.dispose();
        }
        var png = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", png);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot encode a PNG in memory", e);
        }
        return Base64.getEncoder().encodeToString(png.toByteArray());
    }

    private static Color color(java.util.SplittableRandom random) {
        return new Color(random.nextInt(256), random.nextInt(256), random.nextInt(256));
    }
}
