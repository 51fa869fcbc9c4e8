import { useState } from 'preact/hooks';
import { createClient } from '../api/admin-api.ts';
import { errorMessage } from '../api/api-error.ts';
import { fetchClients } from '../api/fleet-api.ts';
import { usePoll } from '../lib/use-poll.ts';
import { AsyncView } from './async-view.tsx';

export function ClientsAdmin() {
  const clients = usePoll(fetchClients, 0);
  const [id, setId] = useState('');
  const [name, setName] = useState('');
  const [msg, setMsg] = useState<string>();
  const add = async (e: Event) => {
    e.preventDefault();
    try {
      await createClient(id, name);
      setMsg(`Created ${id}`);
      clients.reload();
    } catch (err) {
      setMsg(errorMessage(err));
    }
  };
  return (
    <section class="panel">
      <h2>Clients</h2>
      {msg && <p role="status">{msg}</p>}
      <AsyncView state={clients} noun="clients" isEmpty={(d) => d.length === 0}>
        {(d) => (
          <ul class="plain">
            {d.map((c) => (
              <li key={c.id}>
                <a href={`/clients/${encodeURIComponent(c.id)}`}>{c.name}</a> <span class="mono muted">{c.id}</span> · {c.clusters.length}{' '}
                clusters
              </li>
            ))}
          </ul>
        )}
      </AsyncView>
      <form class="form-row" onSubmit={add}>
        <input aria-label="Client id" placeholder="id" value={id} onInput={(e) => setId((e.target as HTMLInputElement).value)} required />
        <input
          aria-label="Client name"
          placeholder="name"
          value={name}
          onInput={(e) => setName((e.target as HTMLInputElement).value)}
          required
        />
        <button type="submit" class="btn primary">
          Add client
        </button>
      </form>
    </section>
  );
}
