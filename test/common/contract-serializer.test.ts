// Responses are still checked against their contract after compilation to JSON Schema.
import Fastify from 'fastify'
import { validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod'
import t from 'tap'
import { z } from 'zod'
import { contractSerializerCompiler } from '../../common/contract-serializer.js'
import problemPlugin from '../../common/problem-plugin.js'

const recordSchema = z.object({ id: z.string().regex(/^\d{12}$/), born: z.iso.date(), note: z.string().optional(), tags: z.array(z.enum(['a', 'b'])) }).meta({ id: 'Rec' })

t.test('a conforming answer is serialized; a drifting one becomes a 500 problem, never sent', async (t) => {
  const app = Fastify().withTypeProvider<ZodTypeProvider>()
  app.setValidatorCompiler(validatorCompiler)
  app.setSerializerCompiler(contractSerializerCompiler)
  await app.register(problemPlugin)
  const answers: Record<string, unknown> = {
    good: { id: '001090012345', born: '1990-05-17', tags: ['a'], extra: 'dropped' },
    missing: { id: '001090012345', tags: [] },
    wrongType: { id: 1, born: '1990-05-17', tags: [] },
    badFormat: { id: '001090012345', born: '17/05/1990', tags: [] },
    badEnum: { id: '001090012345', born: '1990-05-17', tags: ['c'] },
    badPattern: { id: '0010', born: '1990-05-17', tags: [] },
  }
  app.get('/:which', { schema: { params: z.object({ which: z.string() }), response: { 200: recordSchema } } }, async (request) => answers[request.params.which] as z.infer<typeof recordSchema>)
  t.teardown(() => app.close())
  const good = await app.inject('/good')
  t.equal(good.statusCode, 200)
  t.same(good.json(), { id: '001090012345', born: '1990-05-17', tags: ['a'] }, 'fields outside the contract are not sent')
  for (const which of ['missing', 'wrongType', 'badFormat', 'badEnum', 'badPattern']) {
    const response = await app.inject(`/${which}`)
    t.equal(response.statusCode, 500, which)
    t.equal(response.json().type, 'server.internal', which)
    t.notMatch(response.body, /001090012345/, `${which}: the broken payload is not leaked`)
  }
})
