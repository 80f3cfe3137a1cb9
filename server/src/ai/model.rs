//! The networks, in candle: a small convolutional classifier over ink rasters (shapes and
//! single characters) and a temporal convolutional network with a CTC head over pen
//! trajectories (words).
//!
//! Convolutions are written as "shift and concatenate, then one matrix product" on channel-last
//! tensors. That is im2col by hand, built only from ops whose gradients candle computes with
//! plain copies (`narrow`, `cat`, `matmul`), which trains several times faster on a CPU than
//! transposed convolutions would, and keeps inference to a handful of matrix products.

use candle_core::{D, DType, Device, Module, Result, Tensor};
use candle_nn::{Linear, VarBuilder, VarMap};
use serde::{Deserialize, Serialize};

/// The architecture of a [`ConvNet`]; stored next to the weights so a model file says how to
/// rebuild itself.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConvConfig {
    /// Input side (pixels).
    pub size: usize,
    /// Input channels.
    pub in_channels: usize,
    /// Output channels of each 3×3 convolution; each is followed by a 2×2 max-pool.
    pub widths: Vec<usize>,
    /// Width of the hidden fully connected layer.
    pub hidden: usize,
    /// Number of classes.
    pub classes: usize,
}

/// Conv → ReLU → pool blocks, then two fully connected layers.
pub struct ConvNet {
    convs: Vec<(Tensor, Tensor)>,
    fc1: Linear,
    fc2: Linear,
    cfg: ConvConfig,
}

impl ConvNet {
    /// Builds the network, creating (training) or reading (inference) its variables.
    pub fn new(cfg: &ConvConfig, vb: VarBuilder) -> Result<Self> {
        let mut convs = Vec::new();
        let mut cin = cfg.in_channels;
        let mut side = cfg.size;
        for (i, &w) in cfg.widths.iter().enumerate() {
            let vb = vb.pp(format!("conv{i}"));
            let fan_in = 9 * cin;
            let weight = vb.get_with_hints(
                (fan_in, w),
                "weight",
                candle_nn::Init::Randn {
                    mean: 0.0,
                    stdev: (2.0 / fan_in as f64).sqrt(),
                },
            )?;
            let bias = vb.get_with_hints(w, "bias", candle_nn::Init::Const(0.0))?;
            convs.push((weight, bias));
            cin = w;
            side /= 2;
        }
        let flat = side * side * cin;
        let fc1 = candle_nn::linear(flat, cfg.hidden, vb.pp("fc1"))?;
        let fc2 = candle_nn::linear(cfg.hidden, cfg.classes, vb.pp("fc2"))?;
        Ok(Self {
            convs,
            fc1,
            fc2,
            cfg: cfg.clone(),
        })
    }

    /// Logits `[batch, classes]` for inputs `[batch, size, size, in_channels]`.
    pub fn forward(&self, x: &Tensor, train: bool) -> Result<Tensor> {
        let mut x = x.clone();
        for (w, b) in &self.convs {
            x = conv3x3(&x, w, b)?.relu()?;
            x = max_pool2(&x)?;
        }
        let batch = x.dim(0)?;
        let x = x.reshape((batch, ()))?;
        let x = self.fc1.forward(&x)?.relu()?;
        let x = if train {
            candle_nn::ops::dropout(&x, 0.3)?
        } else {
            x
        };
        self.fc2.forward(&x)
    }

    /// The architecture.
    pub fn config(&self) -> &ConvConfig {
        &self.cfg
    }

    /// Class probabilities for one input of `size × size × in_channels` values.
    pub fn probabilities(&self, input: &[f32]) -> Result<Vec<f32>> {
        let c = &self.cfg;
        let x = Tensor::from_slice(input, (1, c.size, c.size, c.in_channels), &Device::Cpu)?;
        let p = candle_nn::ops::softmax(&self.forward(&x, false)?, D::Minus1)?;
        p.squeeze(0)?.to_vec1()
    }
}

/// 3×3 "same" convolution on channel-last input `[b, h, w, c]` with `weight: [9c, out]`.
fn conv3x3(x: &Tensor, weight: &Tensor, bias: &Tensor) -> Result<Tensor> {
    let (b, h, w, c) = x.dims4()?;
    let out = weight.dim(1)?;
    let xp = x.pad_with_zeros(1, 1, 1)?.pad_with_zeros(2, 1, 1)?;
    let mut cols = Vec::with_capacity(9);
    for dy in 0..3 {
        for dx in 0..3 {
            cols.push(xp.narrow(1, dy, h)?.narrow(2, dx, w)?);
        }
    }
    let patches = Tensor::cat(&cols, 3)?.reshape((b * h * w, 9 * c))?;
    patches
        .matmul(weight)?
        .broadcast_add(bias)?
        .reshape((b, h, w, out))
}

/// 2×2 max-pool (odd edges dropped) on channel-last input.
fn max_pool2(x: &Tensor) -> Result<Tensor> {
    let (b, h, w, c) = x.dims4()?;
    let (h2, w2) = (h / 2, w / 2);
    let x = x.narrow(1, 0, h2 * 2)?.narrow(2, 0, w2 * 2)?.contiguous()?;
    x.reshape((b, h2, 2, w2, 2, c))?.max(4)?.max(2)
}

/// The architecture of a [`SeqNet`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SeqConfig {
    /// Features per input step.
    pub in_features: usize,
    /// Channels of the temporal convolutions.
    pub width: usize,
    /// Number of residual blocks before and after the stride-2 downsampling.
    pub blocks: usize,
    /// Kernel size of the temporal convolutions (odd).
    pub kernel: usize,
    /// Output symbols including the CTC blank (index 0).
    pub symbols: usize,
    /// Dilation of each block after the downsampling, one entry per block. Empty (models saved
    /// before dilations existed) means `blocks` blocks of dilation 1. Doubling dilations widen
    /// the receptive field exponentially at the cost of one block each: cursive letters are
    /// read from their neighbours.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub late_dilations: Vec<usize>,
    /// Layer normalisation at the input of every residual block and of the output layer
    /// (pre-norm blocks): without it the residual sum grows with depth and a deeper or wider
    /// stack trains slowly. `false` in models saved before it existed.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub norm: bool,
    /// Hidden size per direction of a bidirectional GRU after the convolutions (0: none). The
    /// convolutions see a few letters either side; the recurrent layer sees the whole word.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub recurrent: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl SeqConfig {
    /// The dilation of every block after the downsampling.
    fn late(&self) -> Vec<usize> {
        if self.late_dilations.is_empty() {
            vec![1; self.blocks]
        } else {
            self.late_dilations.clone()
        }
    }
}

/// A temporal convolutional network: per-step projection, residual convolution blocks with one
/// stride-2 downsampling in the middle, and per-step symbol logits for CTC.
pub struct SeqNet {
    input: Linear,
    early: Vec<Block>,
    /// Blocks after the downsampling, with their dilations.
    late: Vec<(Block, usize)>,
    /// Normalisation before the recurrent or output layer (with `norm`).
    top_norm: Option<LayerNorm>,
    recurrent: Option<BiGru>,
    output: Linear,
    cfg: SeqConfig,
}

/// One residual block: `h + relu(conv(norm(h)))`.
struct Block {
    norm: Option<LayerNorm>,
    weight: Tensor,
    bias: Tensor,
}

impl Block {
    fn forward(&self, h: &Tensor, kernel: usize, dilation: usize) -> Result<Tensor> {
        let x = match &self.norm {
            Some(n) => n.forward(h)?,
            None => h.clone(),
        };
        h + conv1d(&x, &self.weight, &self.bias, kernel, dilation)?.relu()?
    }
}

/// Layer normalisation over the last dimension, with its own variables. It runs candle-nn's
/// `layer_norm_slow` (elementary ops): `candle_nn::LayerNorm` takes the fused kernel for
/// contiguous input, and that kernel has no gradient.
struct LayerNorm {
    gain: Tensor,
    shift: Tensor,
}

impl LayerNorm {
    fn new(size: usize, vb: VarBuilder) -> Result<Self> {
        Ok(Self {
            gain: vb.get_with_hints(size, "gain", candle_nn::Init::Const(1.0))?,
            shift: vb.get_with_hints(size, "shift", candle_nn::Init::Const(0.0))?,
        })
    }

    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        candle_nn::ops::layer_norm_slow(x, &self.gain, &self.shift, 1e-5)
    }
}

/// A bidirectional GRU over `[batch, t, c]`, returning `[batch, t, 2·hidden]`. The input
/// projections of every step are one matrix product; only the recurrent product runs per step.
struct BiGru {
    hidden: usize,
    /// Per direction: input weights `[c, 3h]` (+ bias) and recurrent weights `[h, 3h]` (+ bias),
    /// gates in the order reset, update, candidate.
    dirs: [(Linear, Tensor, Tensor); 2],
}

impl BiGru {
    fn new(input: usize, hidden: usize, vb: VarBuilder) -> Result<Self> {
        let dir = |name: &str| -> Result<(Linear, Tensor, Tensor)> {
            let vb = vb.pp(name);
            let x = candle_nn::linear(input, 3 * hidden, vb.pp("input"))?;
            let bound = 1.0 / (hidden as f64).sqrt();
            let w = vb.get_with_hints(
                (hidden, 3 * hidden),
                "recurrent",
                candle_nn::Init::Uniform {
                    lo: -bound,
                    up: bound,
                },
            )?;
            let b = vb.get_with_hints(3 * hidden, "recurrent_bias", candle_nn::Init::Const(0.0))?;
            Ok((x, w, b))
        };
        Ok(Self {
            hidden,
            dirs: [dir("forward")?, dir("backward")?],
        })
    }

    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let (b, t, _) = x.dims3()?;
        let hs = self.hidden;
        let mut outs = Vec::with_capacity(2);
        for (d, (input, w, bias)) in self.dirs.iter().enumerate() {
            let xs = input.forward(x)?;
            let mut h = Tensor::zeros((b, hs), x.dtype(), x.device())?;
            let mut steps = vec![None; t];
            for i in 0..t {
                let step = if d == 0 { i } else { t - 1 - i };
                let xt = xs.narrow(1, step, 1)?.squeeze(1)?;
                let ht = h.matmul(w)?.broadcast_add(bias)?;
                let rz = candle_nn::ops::sigmoid(
                    &(xt.narrow(1, 0, 2 * hs)? + ht.narrow(1, 0, 2 * hs)?)?,
                )?;
                let r = rz.narrow(1, 0, hs)?;
                let z = rz.narrow(1, hs, hs)?;
                let n = (xt.narrow(1, 2 * hs, hs)? + (r * ht.narrow(1, 2 * hs, hs)?)?)?.tanh()?;
                // h' = n + z·(h − n)
                h = (&n + (z * (h - &n)?)?)?;
                steps[step] = Some(h.clone());
            }
            let steps: Vec<Tensor> = steps.into_iter().flatten().collect();
            outs.push(Tensor::stack(&steps, 1)?);
        }
        Tensor::cat(&outs, 2)
    }
}

impl SeqNet {
    /// Builds the network, creating (training) or reading (inference) its variables.
    pub fn new(cfg: &SeqConfig, vb: VarBuilder) -> Result<Self> {
        let input = candle_nn::linear(cfg.in_features, cfg.width, vb.pp("input"))?;
        let block = |name: String| -> Result<Block> {
            let vb = vb.pp(name);
            let fan_in = cfg.kernel * cfg.width;
            let weight = vb.get_with_hints(
                (fan_in, cfg.width),
                "weight",
                candle_nn::Init::Randn {
                    mean: 0.0,
                    stdev: (1.0 / fan_in as f64).sqrt(),
                },
            )?;
            let bias = vb.get_with_hints(cfg.width, "bias", candle_nn::Init::Const(0.0))?;
            let norm = if cfg.norm {
                Some(LayerNorm::new(cfg.width, vb.pp("norm"))?)
            } else {
                None
            };
            Ok(Block { norm, weight, bias })
        };
        let early = (0..cfg.blocks)
            .map(|i| block(format!("early{i}")))
            .collect::<Result<_>>()?;
        let late = cfg
            .late()
            .into_iter()
            .enumerate()
            .map(|(i, d)| block(format!("late{i}")).map(|b| (b, d)))
            .collect::<Result<_>>()?;
        let top_norm = if cfg.norm {
            Some(LayerNorm::new(cfg.width, vb.pp("top_norm"))?)
        } else {
            None
        };
        let (recurrent, top) = if cfg.recurrent > 0 {
            let gru = BiGru::new(cfg.width, cfg.recurrent, vb.pp("gru"))?;
            (Some(gru), 2 * cfg.recurrent)
        } else {
            (None, cfg.width)
        };
        let output = candle_nn::linear(top, cfg.symbols, vb.pp("output"))?;
        Ok(Self {
            input,
            early,
            late,
            top_norm,
            recurrent,
            output,
            cfg: cfg.clone(),
        })
    }

    /// The architecture.
    pub fn config(&self) -> &SeqConfig {
        &self.cfg
    }

    /// Output length for an input of `len` steps.
    pub fn output_len(len: usize) -> usize {
        len.div_ceil(2)
    }

    /// Log-probabilities `[batch, ceil(t/2), symbols]` for input `[batch, t, in_features]`
    /// (zero-padded past each sequence's end).
    pub fn forward(&self, x: &Tensor, train: bool) -> Result<Tensor> {
        let mut h = self.input.forward(x)?.relu()?;
        for block in &self.early {
            h = block.forward(&h, self.cfg.kernel, 1)?;
        }
        // Stride-2 downsampling: mean of neighbouring steps (pad to even length first).
        let (bsz, t, c) = h.dims3()?;
        if t % 2 == 1 {
            h = h.pad_with_zeros(1, 0, 1)?;
        }
        h = h.reshape((bsz, t.div_ceil(2), 2, c))?.mean(2)?;
        for (block, d) in &self.late {
            h = block.forward(&h, self.cfg.kernel, *d)?;
        }
        if let Some(n) = &self.top_norm {
            h = n.forward(&h)?;
        }
        if let Some(gru) = &self.recurrent {
            h = gru.forward(&h)?;
        }
        let h = if train {
            candle_nn::ops::dropout(&h, 0.2)?
        } else {
            h
        };
        candle_nn::ops::log_softmax(&self.output.forward(&h)?, D::Minus1)
    }
}

/// "Same" temporal convolution on `[b, t, c]` with `weight: [k·c, out]`, its taps `dilation`
/// steps apart.
fn conv1d(x: &Tensor, weight: &Tensor, bias: &Tensor, k: usize, dilation: usize) -> Result<Tensor> {
    let (b, t, c) = x.dims3()?;
    let out = weight.dim(1)?;
    let half = k / 2 * dilation;
    let xp = x.pad_with_zeros(1, half, half)?;
    let cols = (0..k)
        .map(|i| xp.narrow(1, i * dilation, t))
        .collect::<Result<Vec<_>>>()?;
    Tensor::cat(&cols, 2)?
        .reshape((b * t, k * c))?
        .matmul(weight)?
        .broadcast_add(bias)?
        .reshape((b, t, out))
}

/// Loads variables saved by [`VarMap::save`] from bytes into a builder for inference.
pub fn var_builder_from_bytes(bytes: Vec<u8>) -> Result<VarBuilder<'static>> {
    VarBuilder::from_buffered_safetensors(bytes, DType::F32, &Device::Cpu)
}

/// A fresh set of trainable variables.
pub fn new_var_map() -> (VarMap, Device) {
    (VarMap::new(), Device::Cpu)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_flow_through_both_networks() {
        let (vm, dev) = new_var_map();
        let vb = VarBuilder::from_varmap(&vm, DType::F32, &dev);
        let cfg = ConvConfig {
            size: 24,
            in_channels: 6,
            widths: vec![8, 16, 16],
            hidden: 32,
            classes: 10,
        };
        let net = ConvNet::new(&cfg, vb.pp("conv")).unwrap();
        let x = Tensor::zeros((2, 24, 24, 6), DType::F32, &dev).unwrap();
        assert_eq!(net.forward(&x, true).unwrap().dims(), &[2, 10]);
        let p = net.probabilities(&vec![0.0; 24 * 24 * 6]).unwrap();
        assert!((p.iter().sum::<f32>() - 1.0).abs() < 1e-4);

        let scfg = SeqConfig {
            in_features: 8,
            width: 16,
            blocks: 2,
            kernel: 5,
            symbols: 7,
            late_dilations: vec![1, 2, 4],
            norm: false,
            recurrent: 0,
        };
        for (i, (norm, recurrent)) in [(false, 0), (true, 0), (true, 6)].into_iter().enumerate() {
            let cfg = SeqConfig {
                norm,
                recurrent,
                ..scfg.clone()
            };
            let seq = SeqNet::new(&cfg, vb.pp(format!("seq{i}"))).unwrap();
            let x = Tensor::zeros((3, 11, 8), DType::F32, &dev).unwrap();
            let y = seq.forward(&x, false).unwrap();
            assert_eq!(y.dims(), &[3, SeqNet::output_len(11), 7]);
        }
    }
}
