//! The alert player. It decodes every alert sound once, at start-up, and owns the audio output
//! stream on its own thread; a play request is a message, so the sound starts at once from a
//! buffer already in memory. With no audio output it says so and keeps working silently.

use std::io::Cursor;
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

use rodio::buffer::SamplesBuffer;
use rodio::cpal::traits::{DeviceTrait, HostTrait};
use rodio::{Decoder, OutputStream, OutputStreamHandle, Sink, Source};
use serde::{Deserialize, Serialize};
use tokio::sync::oneshot;

/// Our alert sounds, each of our own making (scripts/make-sounds.py).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sound {
    /// A rising two-note chime.
    #[default]
    Chime,
    /// One low bell strike with a long ring.
    Bell,
    /// Three quick high beeps: the most insistent.
    Triple,
}

impl Sound {
    pub const ALL: [Sound; 3] = [Sound::Chime, Sound::Bell, Sound::Triple];

    fn wav(self) -> &'static [u8] {
        match self {
            Sound::Chime => include_bytes!("../../../assets/sounds/chime.wav"),
            Sound::Bell => include_bytes!("../../../assets/sounds/bell.wav"),
            Sound::Triple => include_bytes!("../../../assets/sounds/triple.wav"),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Sound::Chime => "chime",
            Sound::Bell => "bell",
            Sound::Triple => "triple",
        }
    }

    pub fn parse(s: &str) -> Option<Sound> {
        Sound::ALL.into_iter().find(|v| v.name().eq_ignore_ascii_case(s.trim()))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AudioStatus {
    Ready,
    /// No output could be opened; alerts are silent. The reason is for people.
    NoOutput(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlayOutcome {
    Played,
    Silent(String),
}

#[derive(Debug, thiserror::Error)]
#[error("the alert sound cannot be decoded: {0}")]
pub struct SoundError(String);

enum Command {
    Play { sound: Sound, volume: f32, started: oneshot::Sender<Instant>, done: oneshot::Sender<PlayOutcome> },
    UseDevice { name: Option<String>, done: oneshot::Sender<AudioStatus> },
}

/// A handle to the player thread; cheap to clone. The thread ends when the last handle is dropped.
#[derive(Clone)]
pub struct AlertPlayer {
    commands: mpsc::Sender<Command>,
    status: Arc<Mutex<AudioStatus>>,
}

/// A play request in flight.
pub struct Playback {
    requested: Instant,
    started: oneshot::Receiver<Instant>,
    done: oneshot::Receiver<PlayOutcome>,
}

impl Playback {
    /// How long after the request the sound was handed to the output; `None` if it was not
    /// (no output). Await this before [`Playback::finished`].
    pub async fn started_after(&mut self) -> Option<Duration> {
        (&mut self.started).await.ok().map(|at| at.saturating_duration_since(self.requested))
    }

    /// Resolves when the sound has finished playing.
    pub async fn finished(self) -> PlayOutcome {
        self.done.await.unwrap_or_else(|_| PlayOutcome::Silent("the player stopped".into()))
    }
}

/// A sound decoded to samples, ready to hand to the output.
#[derive(Clone)]
struct Decoded {
    channels: u16,
    rate: u32,
    samples: Vec<i16>,
}

fn decode(bytes: &'static [u8]) -> Result<Decoded, SoundError> {
    let decoder = Decoder::new(Cursor::new(bytes)).map_err(|e| SoundError(e.to_string()))?;
    let (channels, rate) = (decoder.channels(), decoder.sample_rate());
    let samples: Vec<i16> = decoder.collect();
    if samples.is_empty() {
        return Err(SoundError("no samples".into()));
    }
    Ok(Decoded { channels, rate, samples })
}

/// The names of the output devices the system offers, for a settings screen.
pub fn output_devices() -> Vec<String> {
    let host = rodio::cpal::default_host();
    match host.output_devices() {
        Ok(devices) => devices.filter_map(|d| d.name().ok()).collect(),
        Err(e) => {
            tracing::warn!(error = %e, "cannot list sound outputs");
            Vec::new()
        }
    }
}

impl AlertPlayer {
    /// Decodes every sound and opens `device` (by name; `None`: the system default) on a new
    /// thread. A missing output is not an error: see [`AlertPlayer::status`].
    pub fn start(device: Option<String>) -> Result<Self, SoundError> {
        // In the order of `Sound::ALL`, so `sounds[sound as usize]` is that sound.
        let sounds = Sound::ALL.iter().map(|s| decode(s.wav())).collect::<Result<Vec<_>, _>>()?;
        let (commands, rx) = mpsc::channel();
        let (status_tx, status_rx) = mpsc::sync_channel(1);
        std::thread::Builder::new()
            .name("alert-player".into())
            .spawn(move || player_thread(sounds, device, rx, status_tx))
            .map_err(|e| SoundError(format!("cannot start the audio thread: {e}")))?;
        let status = status_rx.recv().unwrap_or_else(|_| AudioStatus::NoOutput("the audio thread stopped".into()));
        log_status(&status);
        Ok(AlertPlayer { commands, status: Arc::new(Mutex::new(status)) })
    }

    pub fn status(&self) -> AudioStatus {
        self.status.lock().expect("status lock").clone()
    }

    /// Plays `sound` now. Never blocks.
    pub fn play(&self, sound: Sound, volume: f32) -> Playback {
        let requested = Instant::now();
        let (started, started_rx) = oneshot::channel();
        let (done, done_rx) = oneshot::channel();
        if self.commands.send(Command::Play { sound, volume: volume.clamp(0.0, 1.0), started, done }).is_err() {
            tracing::warn!("alert player is gone");
        }
        Playback { requested, started: started_rx, done: done_rx }
    }

    /// Switches to another output device (`None`: the system default) and reports the outcome.
    pub async fn use_device(&self, name: Option<String>) -> AudioStatus {
        let (done, rx) = oneshot::channel();
        let status = if self.commands.send(Command::UseDevice { name, done }).is_ok() {
            rx.await.unwrap_or_else(|_| AudioStatus::NoOutput("the audio thread stopped".into()))
        } else {
            AudioStatus::NoOutput("the audio thread stopped".into())
        };
        log_status(&status);
        *self.status.lock().expect("status lock") = status.clone();
        status
    }
}

fn log_status(status: &AudioStatus) {
    match status {
        AudioStatus::Ready => tracing::info!("alert player ready"),
        AudioStatus::NoOutput(why) => tracing::warn!(%why, "no sound output: alerts will be silent"),
    }
}

/// Opens `device` by name, else the default output.
fn open(device: Option<&str>) -> Result<(OutputStream, OutputStreamHandle), String> {
    let Some(name) = device else {
        return OutputStream::try_default().map_err(|e| e.to_string());
    };
    let host = rodio::cpal::default_host();
    let found = host
        .output_devices()
        .map_err(|e| e.to_string())?
        .find(|d| d.name().is_ok_and(|n| n == name))
        .ok_or_else(|| format!("the sound output \"{name}\" is not connected"))?;
    OutputStream::try_from_device(&found).map_err(|e| e.to_string())
}

fn player_thread(
    sounds: Vec<Decoded>,
    device: Option<String>,
    commands: mpsc::Receiver<Command>,
    status: mpsc::SyncSender<AudioStatus>,
) {
    // The stream must stay alive (and on this thread: it is not Send) for sound to play.
    let mut output = open(device.as_deref());
    let _ = status.send(match &output {
        Ok(_) => AudioStatus::Ready,
        Err(e) => AudioStatus::NoOutput(e.clone()),
    });

    let mut playing: Vec<(Sink, oneshot::Sender<PlayOutcome>)> = Vec::new();
    loop {
        let command = if playing.is_empty() {
            match commands.recv() {
                Ok(c) => Some(c),
                Err(_) => return,
            }
        } else {
            match commands.recv_timeout(Duration::from_millis(20)) {
                Ok(c) => Some(c),
                Err(mpsc::RecvTimeoutError::Timeout) => None,
                Err(mpsc::RecvTimeoutError::Disconnected) => return,
            }
        };
        match command {
            Some(Command::Play { sound, volume, started, done }) => {
                let handle = match &output {
                    Ok((_, handle)) => handle,
                    Err(_) => {
                        let _ = done.send(PlayOutcome::Silent("no sound output".into()));
                        continue;
                    }
                };
                match Sink::try_new(handle) {
                    Ok(sink) => {
                        let d = &sounds[sound as usize];
                        sink.set_volume(volume);
                        sink.append(SamplesBuffer::new(d.channels, d.rate, d.samples.clone()));
                        let _ = started.send(Instant::now());
                        playing.push((sink, done));
                    }
                    Err(e) => {
                        let _ = done.send(PlayOutcome::Silent(e.to_string()));
                    }
                }
            }
            Some(Command::UseDevice { name, done }) => {
                for (sink, reply) in playing.drain(..) {
                    sink.stop();
                    let _ = reply.send(PlayOutcome::Silent("the sound output changed".into()));
                }
                drop(std::mem::replace(&mut output, Err(String::new())));
                output = open(name.as_deref());
                let _ = done.send(match &output {
                    Ok(_) => AudioStatus::Ready,
                    Err(e) => AudioStatus::NoOutput(e.clone()),
                });
            }
            None => {}
        }
        let (done, still): (Vec<_>, Vec<_>) = playing.drain(..).partition(|(sink, _)| sink.empty());
        playing = still;
        for (_, reply) in done {
            let _ = reply.send(PlayOutcome::Played);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (seconds, dominant frequency by zero crossings) of a decoded sound.
    fn shape(d: &Decoded) -> (f64, f64) {
        let seconds = d.samples.len() as f64 / d.channels as f64 / d.rate as f64;
        let crossings = d.samples.windows(2).filter(|w| (w[0] < 0) != (w[1] < 0)).count();
        (seconds, crossings as f64 / 2.0 / seconds)
    }

    #[test]
    fn every_sound_decodes_is_short_and_audible() {
        for s in Sound::ALL {
            let d = decode(s.wav()).unwrap();
            let (seconds, _) = shape(&d);
            assert!(seconds > 0.3 && seconds <= 1.0, "{s:?}: {seconds}");
            assert!(d.samples.iter().any(|x| x.unsigned_abs() > 10_000), "{s:?} is audible");
        }
    }

    #[test]
    fn the_three_sounds_are_distinct() {
        let shapes = Sound::ALL.map(|s| shape(&decode(s.wav()).unwrap()));
        for i in 0..3 {
            for j in i + 1..3 {
                let (a, b) = (shapes[i], shapes[j]);
                let differ = (a.0 - b.0).abs() > 0.1 || (a.1 - b.1).abs() / a.1.max(b.1) > 0.2;
                assert!(differ, "{:?} and {:?} sound alike: {a:?} {b:?}", Sound::ALL[i], Sound::ALL[j]);
            }
        }
    }

    #[test]
    fn sound_names_round_trip_and_index_the_decoded_sounds() {
        for (i, s) in Sound::ALL.into_iter().enumerate() {
            assert_eq!(s as usize, i, "the player finds {s:?}'s samples at its position in ALL");
            assert_eq!(Sound::parse(s.name()), Some(s));
            assert_eq!(serde_json::to_string(&s).unwrap(), format!("\"{}\"", s.name()));
        }
        assert_eq!(Sound::parse("gong"), None);
    }

    #[test]
    fn garbage_is_not_a_sound() {
        assert!(decode(b"not a wav file").is_err());
    }
}
