package io.autoweave.usb.pipeline.internal.identity;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import io.autoweave.usb.pipeline.internal.PipelineSettings;

public class InstanceIdTest {

    @Rule
    public final TemporaryFolder tmp = new TemporaryFolder();

    @Test
    public void theFirstStartGeneratesAnIdAndLaterStartsReadItBack() throws Exception {
        Path file = tmp.getRoot().toPath().resolve("instance-id");
        String first = InstanceId.loadOrCreate(file);
        assertFalse(first.isBlank());
        assertEquals(first, Files.readString(file).trim());
        assertEquals(first, InstanceId.loadOrCreate(file));
    }

    @Test
    public void aConfiguredIdWinsAndTheFileIsNotTouched() {
        Path file = tmp.getRoot().toPath().resolve("instance-id");
        PipelineSettings s = PipelineSettings.from(PipelineSettings.configuration(Map.of("instance_id", "lab-1")),
                () -> InstanceId.loadOrCreate(file));
        assertEquals("lab-1", s.instanceId());
        assertFalse(Files.exists(file));
    }
}
