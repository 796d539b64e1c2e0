//! The alert player. It decodes every alert sound once, at start-up, and owns the audio output
//! stream on its own thread; a play request is a message, so the sound starts at once from a
//! buffer already in memory. With no audio output it says so and keeps working silently.

use std::io::Cursor;
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

use rodio::buffer::SamplesBuffer;
use rodio::cpal::traits::{DeviceTrait, HostTrait};
use rodio::cpal::StreamError;
use rodio::{ChannelCount, Decoder, DeviceSinkBuilder, MixerDeviceSink, SampleRate, Source};
use serde::{Deserialize, Serialize};
use tokio::sync::{oneshot, watch};

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
    /// A falling pair, twice: a callback is due (not offered for leads).
    Reminder,
}

impl Sound {
    /// The sounds a rep chooses from for new leads.
    pub const ALL: [Sound; 3] = [Sound::Chime, Sound::Bell, Sound::Triple];
    /// Every sound, in declaration order (the player's table).
    const EVERY: [Sound; 4] = [Sound::Chime, Sound::Bell, Sound::Triple, Sound::Reminder];

    fn wav(self) -> &'static [u8] {
        match self {
            Sound::Chime => include_bytes!("../../../assets/sounds/chime.wav"),
            Sound::Bell => include_bytes!("../../../assets/sounds/bell.wav"),
            Sound::Triple => include_bytes!("../../../assets/sounds/triple.wav"),
            Sound::Reminder => include_bytes!("../../../assets/sounds/reminder.wav"),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Sound::Chime => "chime",
            Sound::Bell => "bell",
            Sound::Triple => "triple",
            Sound::Reminder => "reminder",
        }
    }

    pub fn parse(s: &str) -> Option<Sound> {
        Sound::ALL.into_iter().find(|v| v.name().eq_ignore_ascii_case(s.trim()))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AudioStatus {
    /// Alerts play on the chosen output (or the default one, if none was chosen).
    Ready,
    /// The chosen output is not there (unplugged, or not connected): alerts play on the default
    /// output until it comes back. The reason is for people.
    OnDefault(String),
    /// No output could be opened; alerts are silent. The reason is for people.
    NoOutput(String),
}

impl AudioStatus {
    /// What to tell the rep, if anything.
    pub fn problem(&self) -> Option<&str> {
        match self {
            AudioStatus::Ready => None,
            AudioStatus::OnDefault(why) | AudioStatus::NoOutput(why) => Some(why),
        }
    }
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
    Play {
        sound: Sound,
        volume: f32,
        started: oneshot::Sender<Instant>,
        done: oneshot::Sender<PlayOutcome>,
    },
    UseDevice {
        name: Option<String>,
        done: oneshot::Sender<AudioStatus>,
    },
    /// The stream opened as `stream` reported its device gone, or must be rebuilt (from the
    /// stream's error callback).
    DeviceLost {
        stream: u64,
    },
    /// The last handle was dropped.
    Stop,
}

/// A handle to the player thread; cheap to clone. The thread ends when the last handle is dropped.
#[derive(Clone)]
pub struct AlertPlayer {
    commands: mpsc::Sender<Command>,
    status: watch::Receiver<AudioStatus>,
    _stop: Arc<StopOnDrop>,
}

/// Stops the player thread when the last [`AlertPlayer`] goes (the output stream's error callback
/// holds a sender too, so the channel alone would never close).
struct StopOnDrop(mpsc::Sender<Command>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        let _ = self.0.send(Command::Stop);
    }
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
    channels: ChannelCount,
    rate: SampleRate,
    samples: Vec<f32>,
}

fn decode(bytes: &'static [u8]) -> Result<Decoded, SoundError> {
    let decoder = Decoder::new(Cursor::new(bytes)).map_err(|e| SoundError(e.to_string()))?;
    let (channels, rate) = (decoder.channels(), decoder.sample_rate());
    let samples: Vec<f32> = decoder.collect();
    if samples.is_empty() {
        return Err(SoundError("no samples".into()));
    }
    Ok(Decoded { channels, rate, samples })
}

/// The names of the output devices the system offers, for a settings screen.
pub fn output_devices() -> Vec<String> {
    let host = rodio::cpal::default_host();
    match host.output_devices() {
        Ok(devices) => devices.filter_map(|d| device_name(&d)).collect(),
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
        // In the order of `Sound::EVERY`, so `sounds[sound as usize]` is that sound.
        let sounds = Sound::EVERY.iter().map(|s| decode(s.wav())).collect::<Result<Vec<_>, _>>()?;
        let (commands, rx) = mpsc::channel();
        let (status_tx, status) = watch::channel(AudioStatus::NoOutput("the audio thread is starting".into()));
        let (ready_tx, ready) = mpsc::sync_channel(1);
        let own = commands.clone();
        std::thread::Builder::new()
            .name("alert-player".into())
            .spawn(move || {
                // Made here: an output stream may not move between threads (on macOS).
                let player = PlayerThread {
                    sounds,
                    wanted: device,
                    output: None,
                    streams: 0,
                    commands: own,
                    status: status_tx,
                    playing: Vec::new(),
                };
                player.run(rx, ready_tx)
            })
            .map_err(|e| SoundError(format!("cannot start the audio thread: {e}")))?;
        // The first output is open (or known missing) before the first lead can ask for it.
        let _ = ready.recv();
        Ok(AlertPlayer { _stop: Arc::new(StopOnDrop(commands.clone())), commands, status })
    }

    pub fn status(&self) -> AudioStatus {
        self.status.borrow().clone()
    }

    /// The status now and each change after (an output unplugged or back), for a front end.
    pub fn status_updates(&self) -> watch::Receiver<AudioStatus> {
        self.status.clone()
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
        if self.commands.send(Command::UseDevice { name, done }).is_err() {
            return AudioStatus::NoOutput("the audio thread stopped".into());
        }
        rx.await.unwrap_or_else(|_| AudioStatus::NoOutput("the audio thread stopped".into()))
    }
}

/// While the chosen output is missing, how often to look for it again.
const LOOK_FOR_WANTED_EVERY: Duration = Duration::from_secs(5);

/// The player thread's state. The output stream must stay alive, and on this thread (on macOS it
/// is not `Send`), for sound to play.
struct PlayerThread {
    sounds: Vec<Decoded>,
    /// The output the rep chose (`None`: the system default).
    wanted: Option<String>,
    output: Option<MixerDeviceSink>,
    /// Numbers each stream opened, so a late error from a stream already replaced is ignored.
    streams: u64,
    commands: mpsc::Sender<Command>,
    status: watch::Sender<AudioStatus>,
    playing: Vec<(rodio::Player, oneshot::Sender<PlayOutcome>)>,
}

impl PlayerThread {
    fn run(mut self, commands: mpsc::Receiver<Command>, ready: mpsc::SyncSender<()>) {
        self.reopen();
        let _ = ready.send(());
        loop {
            let wait = if !self.playing.is_empty() {
                Some(Duration::from_millis(20))
            } else if matches!(*self.status.borrow(), AudioStatus::OnDefault(_)) {
                Some(LOOK_FOR_WANTED_EVERY)
            } else {
                None
            };
            let command = match wait {
                None => match commands.recv() {
                    Ok(c) => Some(c),
                    Err(_) => return,
                },
                Some(wait) => match commands.recv_timeout(wait) {
                    Ok(c) => Some(c),
                    Err(mpsc::RecvTimeoutError::Timeout) => None,
                    Err(mpsc::RecvTimeoutError::Disconnected) => return,
                },
            };
            match command {
                Some(Command::Play { sound, volume, started, done }) => self.play(sound, volume, started, done),
                Some(Command::UseDevice { name, done }) => {
                    self.stop_all("the sound output changed");
                    self.wanted = name;
                    self.reopen();
                    let _ = done.send(self.status.borrow().clone());
                }
                Some(Command::DeviceLost { stream }) if stream == self.streams => {
                    tracing::warn!("the sound output was disconnected");
                    self.stop_all("the sound output was disconnected");
                    self.reopen();
                }
                Some(Command::DeviceLost { .. }) => {}
                Some(Command::Stop) => return,
                None => {
                    // Idle while on the default output: is the chosen one back?
                    if self.playing.is_empty()
                        && matches!(*self.status.borrow(), AudioStatus::OnDefault(_))
                        && self.wanted.as_deref().is_some_and(|name| find_device(name).is_some())
                    {
                        self.reopen();
                    }
                }
            }
            let (done, still): (Vec<_>, Vec<_>) = self.playing.drain(..).partition(|(sink, _)| sink.empty());
            self.playing = still;
            for (_, reply) in done {
                let _ = reply.send(PlayOutcome::Played);
            }
        }
    }

    fn play(
        &mut self,
        sound: Sound,
        volume: f32,
        started: oneshot::Sender<Instant>,
        done: oneshot::Sender<PlayOutcome>,
    ) {
        let Some(output) = &self.output else {
            let _ = done.send(PlayOutcome::Silent("no sound output".into()));
            return;
        };
        let sink = rodio::Player::connect_new(output.mixer());
        let d = &self.sounds[sound as usize];
        sink.set_volume(volume);
        sink.append(SamplesBuffer::new(d.channels, d.rate, d.samples.clone()));
        let _ = started.send(Instant::now());
        self.playing.push((sink, done));
    }

    fn stop_all(&mut self, why: &str) {
        for (sink, reply) in self.playing.drain(..) {
            sink.stop();
            let _ = reply.send(PlayOutcome::Silent(why.into()));
        }
    }

    /// Opens the chosen output, else the default one, and tells what came of it.
    fn reopen(&mut self) {
        self.output = None;
        let status = match self.wanted.clone() {
            None => match self.open(None) {
                Ok(()) => AudioStatus::Ready,
                Err(e) => AudioStatus::NoOutput(e),
            },
            Some(name) => match self.open(Some(&name)) {
                Ok(()) => AudioStatus::Ready,
                Err(why) => match self.open(None) {
                    Ok(()) => AudioStatus::OnDefault(format!("{why}: alerts play on the default output")),
                    Err(e) => AudioStatus::NoOutput(format!("{why}, and the default output cannot be opened: {e}")),
                },
            },
        };
        match &status {
            AudioStatus::Ready => {
                tracing::info!(device = self.wanted.as_deref().unwrap_or("default"), "alert player ready")
            }
            AudioStatus::OnDefault(why) => tracing::warn!(%why, "the chosen sound output is missing"),
            AudioStatus::NoOutput(why) => tracing::warn!(%why, "no sound output: alerts will be silent"),
        }
        self.status.send_replace(status);
    }

    /// Opens `device` by name (`None`: the default output), whose loss the stream reports back.
    fn open(&mut self, device: Option<&str>) -> Result<(), String> {
        let builder = match device {
            None => DeviceSinkBuilder::from_default_device(),
            Some(name) => {
                let found = find_device(name).ok_or_else(|| format!("the sound output \"{name}\" is not connected"))?;
                DeviceSinkBuilder::from_device(found)
            }
        }
        .map_err(|e| e.to_string())?;
        self.streams += 1;
        let (commands, stream) = (self.commands.clone(), self.streams);
        let mut output = builder
            .with_error_callback(move |e| match e {
                StreamError::DeviceNotAvailable | StreamError::StreamInvalidated => {
                    _ = commands.send(Command::DeviceLost { stream })
                }
                other => tracing::debug!(error = %other, "sound output"),
            })
            .open_stream()
            .map_err(|e| e.to_string())?;
        output.log_on_drop(false);
        self.output = Some(output);
        Ok(())
    }
}

fn find_device(name: &str) -> Option<rodio::Device> {
    rodio::cpal::default_host().output_devices().ok()?.find(|d| device_name(d).is_some_and(|n| n == name))
}

/// The name people know an output by (Windows' and macOS's device name; ALSA's description).
fn device_name(device: &rodio::Device) -> Option<String> {
    device.description().ok().map(|d| d.name().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (seconds, dominant frequency by zero crossings) of a decoded sound.
    fn shape(d: &Decoded) -> (f64, f64) {
        let seconds = d.samples.len() as f64 / f64::from(d.channels.get()) / f64::from(d.rate.get());
        let crossings = d.samples.windows(2).filter(|w| (w[0] < 0.0) != (w[1] < 0.0)).count();
        (seconds, crossings as f64 / 2.0 / seconds)
    }

    #[test]
    fn every_sound_decodes_is_short_and_audible() {
        for s in Sound::ALL {
            let d = decode(s.wav()).unwrap();
            let (seconds, _) = shape(&d);
            assert!(seconds > 0.3 && seconds <= 1.0, "{s:?}: {seconds}");
            assert!(d.samples.iter().any(|x| x.abs() > 0.3), "{s:?} is audible");
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
