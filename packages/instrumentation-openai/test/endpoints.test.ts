import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { json, raw } from '../../../test/support/mock-server.js';
import { fixture, SDKS, setup } from './setup.js';

const t = await setup();
afterAll(() => t.close());
beforeEach(() => {
  t.otel.reset();
  t.server.reset();
});

describe.each(SDKS)('embeddings, images, audio ($name)', (sdk) => {
  const openai = () => t.client(sdk, { baseURL: 'https://api.openai.com/v1', fetch: t.server.fetch });

  it('embeddings: one span, priced at text-embedding-3-small $0.02/M input', async () => {
    t.server.on('POST', '/v1/embeddings', json(fixture('embeddings')));
    const result = await openai().embeddings.create({
      model: 'text-embedding-3-small',
      input: 'The food was delicious and the waiter...',
      encoding_format: 'float',
    });
    expect(result.data[0].embedding).toHaveLength(3);
    const [span] = await t.otel.waitForSpans(1);
    // 8 x 0.02e-6 = 0.00000016 USD
    expect(span!.name).toBe('embeddings text-embedding-3-small');
    expect(span!.attributes).toMatchObject({
      'gen_ai.operation.name': 'embeddings',
      'gen_ai.request.encoding_formats': ['float'],
      'gen_ai.response.model': 'text-embedding-3-small',
      'gen_ai.usage.input_tokens': 8,
      'gen_ai.usage.output_tokens': 0,
      'aicost.cost.total': '0.000000160',
    });
  });

  it('gpt-image-1 generation: priced from its token usage ($5/M text input, $40/M output)', async () => {
    t.server.on('POST', '/v1/images/generations', json(fixture('images-gpt-image-1')));
    const result = await openai().images.generate({
      model: 'gpt-image-1',
      prompt: 'A cute baby sea otter',
      quality: 'low',
    });
    expect(result.data[0].b64_json).toBe('iVBORw0KGgo=');
    const [span] = await t.otel.waitForSpans(1);
    // 50 x 5e-6 = 0.00025; 272 x 40e-6 = 0.01088; total 0.01113 USD
    expect(span!.attributes).toMatchObject({
      'gen_ai.operation.name': 'image_generation',
      'gen_ai.output.type': 'image',
      'gen_ai.usage.input_tokens': 50,
      'gen_ai.usage.output_tokens': 272,
      'aicost.cost.total': '0.011130000',
    });
  });

  it('dall-e-3 generation (billed per image, not in the catalogue): unpriced with a reason, never $0', async () => {
    t.server.on('POST', '/v1/images/generations', json(fixture('images-dall-e-3')));
    await openai().images.generate({ model: 'dall-e-3', prompt: 'A cute baby sea otter' });
    const [span] = await t.otel.waitForSpans(1);
    expect(span!.attributes['aicost.cost.status']).toBe('unpriced');
    expect(span!.attributes['aicost.cost.status_reason']).toBe('unknown_model');
    expect(span!.attributes['aicost.cost.total']).toBeUndefined();
  });

  it('gpt-4o-transcribe: priced from its token usage (audio input $6/M, output $10/M)', async () => {
    t.server.on('POST', '/v1/audio/transcriptions', json(fixture('transcription-gpt-4o-transcribe')));
    const file = new File([Buffer.from('RIFF....WAVEfmt ')], 'speech.wav', { type: 'audio/wav' });
    const result = await openai().audio.transcriptions.create({ model: 'gpt-4o-transcribe', file });
    expect(result.text).toContain('wildest idea');
    const [span] = await t.otel.waitForSpans(1);
    // 14 audio input tokens x 6e-6 = 0.000084; 45 output x 10e-6 = 0.00045; total 0.000534 USD
    expect(span!.attributes).toMatchObject({
      'gen_ai.operation.name': 'audio_transcription',
      'gen_ai.request.model': 'gpt-4o-transcribe',
      'gen_ai.usage.input_tokens': 14,
      'aicost.usage.audio.input_tokens': 14,
      'gen_ai.usage.output_tokens': 45,
      'aicost.cost.total': '0.000534000',
    });
  });

  it('whisper-1 (billed per second of audio): unpriced / unsupported_unit', async () => {
    t.server.on('POST', '/v1/audio/transcriptions', json(fixture('transcription-whisper-1')));
    const file = new File([Buffer.from('RIFF....WAVEfmt ')], 'speech.wav', { type: 'audio/wav' });
    await openai().audio.transcriptions.create({ model: 'whisper-1', file });
    const [span] = await t.otel.waitForSpans(1);
    expect(span!.attributes['aicost.cost.status']).toBe('unpriced');
    expect(span!.attributes['aicost.cost.status_reason']).toBe('unsupported_unit');
  });

  it('speech: the audio body reaches the application unread; no usage, so unpriced / missing_usage', async () => {
    const audio = Buffer.from([0xff, 0xf3, 0x44, 0xc4, 0x00, 0x01, 0x02]);
    t.server.on('POST', '/v1/audio/speech', raw(audio, { contentType: 'audio/mpeg' }));
    const response = await openai().audio.speech.create({
      model: 'gpt-4o-mini-tts',
      voice: 'coral',
      input: 'Today is a wonderful day.',
    });
    expect(Buffer.from(await response.arrayBuffer())).toEqual(audio);
    const [span] = await t.otel.waitForSpans(1);
    expect(span!.name).toBe('audio_speech gpt-4o-mini-tts');
    expect(span!.attributes['aicost.cost.status_reason']).toBe('missing_usage');
  });
});
