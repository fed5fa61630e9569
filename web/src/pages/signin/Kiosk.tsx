import { Alert, Badge, Box, Button, Center, Checkbox, Group, Image, Paper, PinInput, ScrollArea, SegmentedControl, SimpleGrid, Stack, Text, TextInput, Textarea, Title } from '@mantine/core';
import { useCallback, useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { ApiError, errorMessage } from '../../api';
import { formatDateTime, formatTime } from '../../format';
import { deviceLabel, kioskCall, kioskPhoto, kioskToken } from './kioskClient';
import { kioskOffline, OFFLINE_PHOTO, tryOnline, useOfflineState } from '../../offline/kioskOffline';
import type { Badge as BadgeData, KioskConfig, KioskGroup, KioskMatch, Reason, Visit } from './signinApi';

/**
 * The kiosk: a full-screen page on a tablet at the entrance, paired to one site. Large touch
 * targets; every name and answer is shown as text. Returns to the start after each person.
 */
type Step =
  | { kind: 'groups' }
  | { kind: 'pin'; group: KioskGroup }
  | { kind: 'find'; group: KioskGroup; pin?: string }
  | { kind: 'visitor'; group: KioskGroup; pin?: string }
  | { kind: 'questions'; group: KioskGroup; pin?: string; member?: KioskMatch; visitor?: VisitorForm }
  | { kind: 'done'; ok: true; title: string; detail?: string; badge?: BadgeData }
  | { kind: 'done'; ok: false; title: string; reasons: string[]; message?: string };

type VisitorForm = { fullName: string; company: string; hostMemberId?: string; hostName?: string };

const BIG = { size: 'xl', h: 72, fz: 22 } as const;
const RESET_MS = 8000;

export default function Kiosk() {
  const [token, setToken] = useState(kioskToken.get());
  return (
    <Box component="main" mih="100vh" p={{ base: 'md', sm: 'xl' }} bg="gray.0" style={{ touchAction: 'manipulation' }}>
      {token ? <PairedKiosk onUnpaired={() => setToken(null)} /> : <Pairing onPaired={() => setToken(kioskToken.get())} />}
    </Box>
  );
}

function Pairing({ onPaired }: { onPaired: () => void }) {
  const [code, setCode] = useState('');
  const [name, setName] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const res = await kioskCall<{ deviceToken: string }>('POST', '/api/kiosk/pair', { code, name: name.trim() || deviceLabel(navigator.userAgent) });
      kioskToken.set(res.body.deviceToken);
      onPaired();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Center mih="80vh">
      <Paper withBorder p="xl" maw={520} w="100%" component="form" onSubmit={(e: FormEvent) => void submit(e)}>
        <Stack>
          <Title order={1}>Pair this kiosk</Title>
          <Text size="lg">In the portal, open Sign-in › Sites, choose the site and “Pair a kiosk”. Type the code shown there.</Text>
          {error ? <Alert color="red" role="alert">{errorMessage(error)}</Alert> : null}
          <TextInput label="Pairing code" size="xl" value={code} onChange={(e) => setCode(e.currentTarget.value.toUpperCase())} autoCapitalize="characters" autoComplete="off" required styles={{ input: { letterSpacing: 6, fontFamily: 'monospace' } }} />
          <TextInput label="Name this kiosk (optional)" description="How it is listed under Sign-in › Sites › Kiosks, e.g. Main reception" size="lg" value={name} onChange={(e) => setName(e.currentTarget.value)} maxLength={100} autoComplete="off" />
          <Button type="submit" loading={busy} {...BIG}>
            Pair
          </Button>
        </Stack>
      </Paper>
    </Center>
  );
}

function PairedKiosk({ onUnpaired }: { onUnpaired: () => void }) {
  const [config, setConfig] = useState<KioskConfig | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [step, setStep] = useState<Step>({ kind: 'groups' });
  const load = useCallback(async () => {
    try {
      const c = (await kioskCall<KioskConfig>('GET', '/api/kiosk/config')).body;
      setConfig(c);
      setError(null);
      void kioskOffline.saveConfig(c);
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) {
        // Revoked or unpaired: the device's copy goes with its token.
        await kioskOffline.wipe();
        kioskToken.clear();
        onUnpaired();
        return;
      }
      const cached = (await kioskOffline.failed(err)) ? await kioskOffline.config() : undefined;
      if (cached) {
        setConfig(cached);
        setError(null);
        return;
      }
      setError(err);
    }
  }, [onUnpaired]);
  useEffect(() => {
    void kioskOffline.start(onUnpaired);
    return () => kioskOffline.stop();
  }, [onUnpaired]);
  useEffect(() => {
    void load();
    const t = setInterval(() => void load(), 5 * 60_000);
    return () => clearInterval(t);
  }, [load]);
  // A new build takes over only on the start screen, so no one is cut off mid-sign-in.
  useEffect(() => {
    if (step.kind !== 'groups') return;
    const t = setInterval(() => kioskOffline.updateReady() && kioskOffline.applyUpdate(), 5000);
    return () => clearInterval(t);
  }, [step.kind]);
  useEffect(() => {
    if (step.kind !== 'done') return;
    const t = setTimeout(() => setStep({ kind: 'groups' }), RESET_MS);
    return () => clearTimeout(t);
  }, [step]);

  if (error && !config) return <Alert color="red" title="This kiosk cannot reach the server">{errorMessage(error)}</Alert>;
  if (!config) return <Text size="xl">Starting…</Text>;
  const home = () => setStep({ kind: 'groups' });
  const finish = (r: { status: number; body: { outcome: string; visit: Visit; reasons: Reason[]; message?: string | null; badge?: BadgeData } }, name: string) => {
    // The server decides what the lobby screen may say (reasons only when the group allows it).
    if (r.body.outcome === 'rejected') setStep({ kind: 'done', ok: false, title: `Sorry, ${name}, you cannot sign in`, reasons: r.body.reasons.map((x) => x.reason), message: r.body.message ?? undefined });
    else setStep({ kind: 'done', ok: true, title: `Welcome, ${name}`, detail: 'You are signed in.', badge: r.body.badge });
  };
  const OFFLINE_NOTE = 'Recorded offline: it is sent when the connection is back.';
  /** Signs a member or visitor in: through the server, or offline on the local copy when it cannot be reached. */
  const signIn = async (group: KioskGroup, body: { memberId?: string; visitor?: { fullName: string; company?: string; hostMemberId?: string }; answers?: Record<string, string>; agreementAccepted?: boolean; pin?: string }, name: string, member?: KioskMatch, hostName?: string) =>
    tryOnline(
      async () => {
        const r = await kioskCall<{ outcome: string; visit: Visit; reasons: Reason[]; badge?: BadgeData }>('POST', '/api/kiosk/sign-in', { groupId: group.id, ...body });
        if (member && r.body.outcome === 'signed_in') void kioskOffline.markOnSite(group.id, member.id, true);
        finish(r, name);
      },
      async () => {
        const v = await kioskOffline.signIn(group, member ? { member } : { visitor: body.visitor! }, body.answers ?? {}, body.agreementAccepted ?? false);
        // The badge as online, from the kiosk's own copy (the photo is the one kept offline).
        const badge: BadgeData | undefined = group.printBadge
          ? { name, groupName: group.name, groupColour: group.colour, siteName: config.site.name, hostName: hostName ?? null, company: body.visitor?.company ?? null, date: new Date().toISOString(), photoUrl: member?.photoUrl ?? null }
          : undefined;
        setStep(v.admitted ? { kind: 'done', ok: true, title: `Welcome, ${name}`, detail: `You are signed in. ${OFFLINE_NOTE}`, badge } : { kind: 'done', ok: false, title: `Sorry, ${name}, you cannot sign in`, reasons: v.reasons });
      },
    );
  const signOutMember = async (group: KioskGroup, m: KioskMatch) =>
    tryOnline(
      async () => {
        await kioskCall('POST', '/api/kiosk/sign-out', { memberId: m.id });
        void kioskOffline.markOnSite(group.id, m.id, false);
        setStep({ kind: 'done', ok: true, title: `Goodbye, ${m.name}`, detail: 'You are signed out.' });
      },
      async () => {
        await kioskOffline.signOut(group.id, { memberId: m.id, name: m.name });
        setStep({ kind: 'done', ok: true, title: `Goodbye, ${m.name}`, detail: `You are signed out. ${OFFLINE_NOTE}` });
      },
    );

  return (
    <Stack gap="lg" maw={1000} mx="auto">
      <Group justify="space-between">
        <Title order={1} size="h2">
          {config.site.name}
        </Title>
        {step.kind !== 'groups' && step.kind !== 'done' ? (
          <Button variant="default" size="lg" onClick={home}>
            Start again
          </Button>
        ) : null}
      </Group>
      <OfflineBar timeZone={config.site.timezone} />
      {step.kind === 'groups' ? (
        <>
          <Text size="xl">Who are you? Tap your group.</Text>
          <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="lg">
            {config.groups.map((g) => (
              <Button key={g.id} {...BIG} h={110} color={g.colour} onClick={() => setStep(g.hasPin ? { kind: 'pin', group: g } : g.type === 'standard' ? { kind: 'visitor', group: g } : { kind: 'find', group: g })}>
                {g.name}
              </Button>
            ))}
          </SimpleGrid>
          {config.groups.length === 0 ? <Alert color="yellow">No groups are shown on this site yet.</Alert> : null}
        </>
      ) : null}
      {step.kind === 'pin' ? <PinStep group={step.group} onOk={(pin) => setStep(step.group.type === 'standard' ? { kind: 'visitor', group: step.group, pin } : { kind: 'find', group: step.group, pin })} /> : null}
      {step.kind === 'find' ? (
        <FindStep
          group={step.group}
          pin={step.pin}
          onPick={async (m, action) => {
            if (action === 'out') {
              try {
                await signOutMember(step.group, m);
              } catch (err) {
                setStep({ kind: 'done', ok: false, title: 'Could not sign you out', reasons: [errorMessage(err)] });
              }
              return;
            }
            const needsQuestions = step.group.customFields.length > 0 || (step.group.agreement && m.agreementDue);
            if (needsQuestions) setStep({ kind: 'questions', group: step.group, pin: step.pin, member: m });
            else {
              try {
                await signIn(step.group, { memberId: m.id, pin: step.pin }, m.name, m);
              } catch (err) {
                setStep({ kind: 'done', ok: false, title: 'Could not sign you in', reasons: [errorMessage(err)] });
              }
            }
          }}
          onQr={async (qrToken, action) => {
            try {
              // Who the code names first (the server, or the local copy's QR hashes offline).
              const m = await tryOnline(
                async () => (await kioskCall<KioskMatch>('POST', '/api/kiosk/identify', { groupId: step.group.id, qrToken, pin: step.pin })).body,
                async () => {
                  const found = await kioskOffline.identifyQr(step.group.id, qrToken);
                  if (!found) throw new ApiError(404, 'not_found', 'This code is not known on this kiosk');
                  return found;
                },
              );
              if (action === 'out') await signOutMember(step.group, m);
              else {
                // The agreement and questions are asked as after a name search.
                const needsQuestions = step.group.customFields.length > 0 || (step.group.agreement && m.agreementDue);
                if (needsQuestions) setStep({ kind: 'questions', group: step.group, pin: step.pin, member: m });
                else await signIn(step.group, { memberId: m.id, pin: step.pin }, m.name, m);
              }
            } catch (err) {
              setStep({ kind: 'done', ok: false, title: 'That did not work', reasons: [errorMessage(err)] });
            }
          }}
        />
      ) : null}
      {step.kind === 'visitor' ? (
        <>
          <VisitorStep config={config} onNext={(v) => setStep({ kind: 'questions', group: step.group, pin: step.pin, visitor: v })} />
          <VisitorSignOut group={step.group} pin={step.pin} timeZone={config.site.timezone} onDone={(title, ok) => setStep(ok ? { kind: 'done', ok: true, title, detail: 'You are signed out.' } : { kind: 'done', ok: false, title: 'Could not sign you out', reasons: [title] })} />
        </>
      ) : null}
      {step.kind === 'questions' ? (
        <QuestionsStep
          group={step.group}
          askAgreement={Boolean(step.group.agreement && (step.visitor || step.member?.agreementDue))}
          onSubmit={async (answers, agreementAccepted) => {
            const body = step.member
              ? { memberId: step.member.id, answers, agreementAccepted, pin: step.pin }
              : { visitor: { fullName: step.visitor!.fullName, ...(step.visitor!.company ? { company: step.visitor!.company } : {}), ...(step.visitor!.hostMemberId ? { hostMemberId: step.visitor!.hostMemberId } : {}) }, answers, agreementAccepted, pin: step.pin };
            await signIn(step.group, body, step.member?.name ?? step.visitor!.fullName, step.member, step.visitor?.hostName);
          }}
        />
      ) : null}
      {step.kind === 'done' ? <DoneStep step={step} timeZone={config.site.timezone} onClose={home} /> : null}
    </Stack>
  );
}

function PinStep({ group, onOk }: { group: KioskGroup; onOk: (pin: string) => void }) {
  const [pin, setPin] = useState('');
  const [error, setError] = useState<unknown>(null);
  const check = async (value: string) => {
    try {
      await tryOnline(
        async () => {
          await kioskCall('POST', `/api/kiosk/groups/${group.id}/unlock`, { pin: value });
          void kioskOffline.rememberPin(group.id, value);
        },
        async () => {
          const r = await kioskOffline.checkPinOffline(group.id, value);
          if (!r.ok) throw new ApiError(403, 'wrong_pin', r.message ?? 'Wrong PIN');
        },
      );
      onOk(value);
    } catch (err) {
      setError(err);
      setPin('');
    }
  };
  return (
    <Stack align="center" gap="lg">
      <Text size="xl">Enter the PIN for {group.name}</Text>
      <PinInput size="xl" length={4} type="number" mask value={pin} onChange={setPin} onComplete={(v) => void check(v)} aria-label="PIN" oneTimeCode />
      {error ? <Alert color="red" role="alert">{errorMessage(error)}</Alert> : null}
    </Stack>
  );
}

function usePhoto(url: string | null) {
  const [src, setSrc] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    let made: string | null = null;
    // A match from the offline copy names a photo kept on the device; online ones are fetched.
    if (url)
      void (url.startsWith(OFFLINE_PHOTO) ? kioskOffline.photoObjectUrl(url) : kioskPhoto(url)).then((u) => {
        made = u;
        if (live) setSrc(u);
      });
    return () => {
      live = false;
      if (made) URL.revokeObjectURL(made);
    };
  }, [url]);
  return src;
}

function MatchButton({ m, onPick }: { m: KioskMatch; onPick: (m: KioskMatch, action: 'in' | 'out') => void }) {
  const photo = usePhoto(m.photoUrl);
  return (
    <Button variant="default" {...BIG} h={88} justify="space-between" onClick={() => onPick(m, m.onSite ? 'out' : 'in')} leftSection={photo ? <Image src={photo} alt="" w={56} h={56} radius="xl" /> : null} rightSection={<Badge size="lg" color={m.onSite ? 'orange' : 'teal'}>{m.onSite ? 'Sign out' : 'Sign in'}</Badge>}>
      <Stack gap={0} align="flex-start">
        <Text fz={22} fw={600}>
          {m.name}
        </Text>
        {m.role ? <Text c="dimmed">{m.role}</Text> : null}
      </Stack>
    </Button>
  );
}

function FindStep({ group, pin, onPick, onQr }: { group: KioskGroup; pin?: string; onPick: (m: KioskMatch, action: 'in' | 'out') => void; onQr: (token: string, action: 'in' | 'out') => void }) {
  const [q, setQ] = useState('');
  const [items, setItems] = useState<KioskMatch[]>([]);
  /** The search `items` answer (Enter picks only from the answer to what is typed now). */
  const [foundFor, setFoundFor] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [action, setAction] = useState<'in' | 'out'>('in');
  const [scanning, setScanning] = useState(false);
  useEffect(() => {
    const term = q.trim();
    if (term.startsWith('thr_qr_')) return; // a scanner typing a QR token
    if (term.length === 0) {
      setItems([]);
      return;
    }
    let live = true;
    const t = setTimeout(() => {
      tryOnline(
        async () => (await kioskCall<{ items: KioskMatch[] }>('GET', `/api/kiosk/search?groupId=${group.id}&q=${encodeURIComponent(term)}`, undefined, pin ? { 'x-kiosk-pin': pin } : {})).body.items,
        () => kioskOffline.search(group.id, term),
      )
        .then((found) => live && (setItems(found), setFoundFor(term), setError(null)))
        .catch((err: unknown) => live && setError(err));
    }, 120);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [q, group.id, pin]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (q.trim().startsWith('thr_qr_')) onQr(q.trim(), action);
    // Enter on a name that found one person picks them (a keyboard at the desk, not only a finger).
    else if (items.length === 1 && foundFor === q.trim()) onPick(items[0]!, items[0]!.onSite ? 'out' : 'in');
  };
  return (
    <Stack gap="md">
      <form onSubmit={submit}>
        <TextInput size="xl" label="Type your name, or scan your card" placeholder="e.g. Sam" value={q} onChange={(e) => setQ(e.currentTarget.value)} autoFocus autoComplete="off" />
      </form>
      {/* After the name box, which has the focus: Tab reaches it next (it came first and was reached only
          by Shift+Tab). It says what a scanned card does; a name found says by itself (Sign in / Sign out). */}
      <Group>
        <SegmentedControl size="xl" value={action} onChange={(v) => setAction(v as 'in' | 'out')} data={[{ value: 'in', label: 'Signing in' }, { value: 'out', label: 'Signing out' }]} />
        <Button size="lg" variant="light" onClick={() => setScanning((s) => !s)}>
          {scanning ? 'Stop camera' : 'Scan my QR code'}
        </Button>
      </Group>
      {scanning ? <QrScanner onToken={(t) => (setScanning(false), onQr(t, action))} /> : null}
      {error ? <Alert color="red" role="alert">{errorMessage(error)}</Alert> : null}
      <ScrollArea.Autosize mah="55vh">
        <Stack gap="sm">
          {items.map((m) => (
            <MatchButton key={m.id} m={m} onPick={(mm) => onPick(mm, mm.onSite ? 'out' : 'in')} />
          ))}
          {q.trim() && items.length === 0 && !error ? <Text size="lg" c="dimmed">No one found. Check the spelling, or ask at reception.</Text> : null}
        </Stack>
      </ScrollArea.Autosize>
    </Stack>
  );
}

type Detector = { detect(source: HTMLVideoElement): Promise<Array<{ rawValue: string }>> };
type DetectorCtor = new (opts: { formats: string[] }) => Detector;

/** The device camera with the browser's BarcodeDetector (where there is none, a USB scanner types into the name box). */
function QrScanner({ onToken }: { onToken: (token: string) => void }) {
  const video = useRef<HTMLVideoElement>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const Ctor = (globalThis as { BarcodeDetector?: DetectorCtor }).BarcodeDetector;
    if (!Ctor || !navigator.mediaDevices) {
      setError('This browser cannot read QR codes from the camera; use a scanner or type your name.');
      return;
    }
    let stream: MediaStream | undefined;
    let timer: ReturnType<typeof setInterval> | undefined;
    const detector = new Ctor({ formats: ['qr_code'] });
    void navigator.mediaDevices
      .getUserMedia({ video: { facingMode: 'user' } })
      .then((s) => {
        stream = s;
        if (video.current) {
          video.current.srcObject = s;
          void video.current.play();
        }
        timer = setInterval(() => {
          if (!video.current) return;
          void detector.detect(video.current).then((codes) => {
            const hit = codes.find((c) => c.rawValue.startsWith('thr_qr_'));
            if (hit) onToken(hit.rawValue);
          });
        }, 300);
      })
      .catch(() => setError('The camera is not available.'));
    return () => {
      if (timer) clearInterval(timer);
      stream?.getTracks().forEach((t) => t.stop());
    };
  }, [onToken]);
  return error ? <Alert color="yellow">{error}</Alert> : <video ref={video} muted playsInline style={{ width: '100%', maxWidth: 480, borderRadius: 12 }} />;
}

function VisitorStep({ config, onNext }: { config: KioskConfig; onNext: (v: VisitorForm) => void }) {
  const [v, setV] = useState<VisitorForm>({ fullName: '', company: '' });
  const [hostQ, setHostQ] = useState('');
  const [hosts, setHosts] = useState<KioskMatch[]>([]);
  const hostGroups = config.groups.filter((g) => g.type !== 'standard' && !g.hasPin);
  useEffect(() => {
    const term = hostQ.trim();
    if (!term || v.hostMemberId) {
      setHosts([]);
      return;
    }
    let live = true;
    const t = setTimeout(() => {
      void Promise.all(hostGroups.map((g) => kioskCall<{ items: KioskMatch[] }>('GET', `/api/kiosk/search?groupId=${g.id}&q=${encodeURIComponent(term)}`).then((r) => r.body.items, () => [])))
        .then((lists) => live && setHosts(lists.flat().slice(0, 6)));
    }, 150);
    return () => {
      live = false;
      clearTimeout(t);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [hostQ, v.hostMemberId]);
  // A host picked: their button goes with the list, so the host field (now showing their name) takes the focus.
  const hostInput = useRef<HTMLInputElement>(null);
  const pickHost = (h: KioskMatch) => {
    setV({ ...v, hostMemberId: h.id, hostName: h.name });
    hostInput.current?.focus();
  };
  return (
    <Stack component="form" gap="md" onSubmit={(e: FormEvent) => (e.preventDefault(), onNext(v))}>
      <TextInput size="xl" label="Your full name" value={v.fullName} onChange={(e) => setV({ ...v, fullName: e.currentTarget.value })} required autoFocus />
      <TextInput size="xl" label="Company (optional)" value={v.company} onChange={(e) => setV({ ...v, company: e.currentTarget.value })} />
      {hostGroups.length > 0 ? (
        <Stack gap="xs">
          <TextInput ref={hostInput} size="xl" label="Who are you visiting? (optional)" value={v.hostName ?? hostQ} onChange={(e) => (setV({ ...v, hostMemberId: undefined, hostName: undefined }), setHostQ(e.currentTarget.value))} />
          {hosts.map((h) => (
            <Button key={h.id} variant="light" size="lg" onClick={() => pickHost(h)}>
              {h.name}
              {h.role ? ` — ${h.role}` : ''}
            </Button>
          ))}
        </Stack>
      ) : null}
      <Button type="submit" {...BIG} disabled={!v.fullName.trim()}>
        Next
      </Button>
    </Stack>
  );
}

/** Visitors leaving: they pick their own name from who is here now. */
function VisitorSignOut({ group, pin, timeZone, onDone }: { group: KioskGroup; pin?: string; timeZone: string; onDone: (message: string, ok: boolean) => void }) {
  const [items, setItems] = useState<Array<{ visitId: string; name: string; signedInAt: string }> | null>(null);
  const [error, setError] = useState<unknown>(null);
  const load = async () => {
    try {
      setItems(
        await tryOnline(
          async () => (await kioskCall<{ items: Array<{ visitId: string; name: string; signedInAt: string }> }>('GET', `/api/kiosk/visitors?groupId=${group.id}`, undefined, pin ? { 'x-kiosk-pin': pin } : {})).body.items,
          () => kioskOffline.visitorsOnSite(group.id),
        ),
      );
    } catch (err) {
      setError(err);
    }
  };
  if (!items) {
    return (
      <Button variant="light" size="xl" h={72} onClick={() => void load()}>
        Leaving? Sign out
      </Button>
    );
  }
  return (
    <Stack gap="sm">
      <Text size="xl">Tap your name to sign out</Text>
      {error ? <Alert color="red">{errorMessage(error)}</Alert> : null}
      {items.length === 0 ? <Text c="dimmed">No visitors are signed in.</Text> : null}
      {items.map((v) => (
        <Button
          key={v.visitId}
          variant="default"
          size="xl"
          h={72}
          onClick={() =>
            void (
              v.visitId.startsWith('local:')
                ? kioskOffline.signOut(group.id, { visitId: v.visitId, name: v.name })
                : tryOnline(
                    async () => void (await kioskCall('POST', '/api/kiosk/sign-out', { visitId: v.visitId })),
                    () => kioskOffline.signOut(group.id, { visitId: v.visitId, name: v.name }),
                  )
            ).then(
              () => onDone(`Goodbye, ${v.name}`, true),
              (err: unknown) => onDone(errorMessage(err), false),
            )
          }
        >
          {v.name} · {formatTime(v.signedInAt, timeZone)}
        </Button>
      ))}
    </Stack>
  );
}

function QuestionsStep({ group, askAgreement, onSubmit }: { group: KioskGroup; askAgreement: boolean; onSubmit: (answers: Record<string, string>, agreementAccepted: boolean) => Promise<void> }) {
  const [answers, setAnswers] = useState<Record<string, string>>({});
  const [agreed, setAgreed] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await onSubmit(answers, agreed);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const missing = group.customFields.some((f) => f.required && !answers[f.id]);
  // The step replaces the button that led here (a name, or Next): the focus would fall to <body>.
  // Its first control (a question's answer, or the agreement) takes it, so a keyboard goes on and a
  // screen reader reads the first question.
  const formRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    formRef.current?.querySelector<HTMLElement>('input, textarea, button')?.focus();
  }, []);
  return (
    <Stack component="form" ref={formRef} gap="lg" onSubmit={(e: FormEvent) => void submit(e)}>
      {group.customFields.map((f) => (
        <Stack key={f.id} gap="xs">
          <Text fz={22} fw={600} id={`q-${f.id}`}>
            {f.label}
            {f.required ? ' *' : ''}
          </Text>
          {f.type === 'text' ? <TextInput size="xl" aria-labelledby={`q-${f.id}`} value={answers[f.id] ?? ''} onChange={(e) => setAnswers({ ...answers, [f.id]: e.currentTarget.value })} /> : null}
          {f.type !== 'text' ? (
            <Group role="radiogroup" aria-labelledby={`q-${f.id}`}>
              {(f.type === 'yesno' ? ['yes', 'no'] : (f.choices ?? [])).map((c) => (
                <Button key={c} role="radio" aria-checked={answers[f.id] === c} size="xl" h={72} miw={140} variant={answers[f.id] === c ? 'filled' : 'default'} onClick={() => setAnswers({ ...answers, [f.id]: c })}>
                  {f.type === 'yesno' ? (c === 'yes' ? 'Yes' : 'No') : c}
                </Button>
              ))}
            </Group>
          ) : null}
        </Stack>
      ))}
      {askAgreement && group.agreement ? (
        <Paper withBorder p="md">
          <Stack>
            <Textarea value={group.agreement.text} readOnly autosize minRows={3} aria-label="Agreement" size="lg" />
            <Checkbox size="xl" label="I agree" checked={agreed} onChange={(e) => setAgreed(e.currentTarget.checked)} />
          </Stack>
        </Paper>
      ) : null}
      {error ? <Alert color="red" role="alert">{errorMessage(error)}</Alert> : null}
      <Button type="submit" {...BIG} color="teal" loading={busy} disabled={missing || (askAgreement && !agreed)}>
        Sign in
      </Button>
    </Stack>
  );
}

function DoneStep({ step, timeZone, onClose }: { step: Extract<Step, { kind: 'done' }>; timeZone: string; onClose: () => void }) {
  useEffect(() => {
    if (step.ok && step.badge) setTimeout(() => window.print(), 300);
  }, [step]);
  const body: ReactNode = step.ok ? (
    <>
      <Title order={2} c="white" fz={40}>
        {step.title}
      </Title>
      {step.detail ? <Text c="white" fz={24}>{step.detail}</Text> : null}
    </>
  ) : (
    <>
      <Title order={2} c="white" fz={36}>
        {step.title}
      </Title>
      {step.reasons.map((r, i) => (
        <Text key={i} c="white" fz={24}>
          {r}
        </Text>
      ))}
      <Text c="white" fz={20}>{step.message ?? 'Please see reception.'}</Text>
    </>
  );
  return (
    <>
      {/* The 9th shades: white text on them (and their text on the white button) reaches WCAG AA's 4.5:1; the 7th did not. */}
      <Paper p="xl" radius="lg" bg={step.ok ? 'teal.9' : 'red.9'} role={step.ok ? 'status' : 'alert'} data-outcome={step.ok ? 'signed_in' : 'rejected'} className="kiosk-outcome">
        <Stack align="center" gap="md" py="xl">
          {body}
          {/* Focused, so the outcome is read out and Enter (or Space) returns to the start without a search for the button. */}
          <Button size="xl" variant="white" c={step.ok ? 'teal.9' : 'red.9'} onClick={onClose} autoFocus>
            Done
          </Button>
        </Stack>
      </Paper>
      {step.ok && step.badge ? <PrintBadge badge={step.badge} timeZone={timeZone} /> : null}
    </>
  );
}

/** Printed through the browser's print dialog; only the badge is printed. */
function PrintBadge({ badge, timeZone }: { badge: BadgeData; timeZone: string }) {
  const photo = usePhoto(badge.photoUrl);
  return (
    <>
      <style>{'@media screen { .kiosk-badge { display: none } } @media print { body * { visibility: hidden } .kiosk-badge, .kiosk-badge * { visibility: visible } .kiosk-badge { position: fixed; top: 0; left: 0 } }'}</style>
      <div className="kiosk-badge" style={{ width: '86mm', border: `6px solid ${badge.groupColour}`, padding: '4mm', fontFamily: 'sans-serif' }}>
        <div style={{ background: badge.groupColour, color: 'white', padding: '2mm', fontWeight: 700 }}>{badge.groupName}</div>
        {photo ? <img src={photo} alt="" style={{ width: '24mm', height: '24mm', objectFit: 'cover', marginTop: '2mm' }} /> : null}
        <div style={{ fontSize: '18pt', fontWeight: 700, marginTop: '2mm' }}>{badge.name}</div>
        {badge.company ? <div>{badge.company}</div> : null}
        {badge.hostName ? <div>Visiting: {badge.hostName}</div> : null}
        <div>
          {badge.siteName} · {formatDateTime(badge.date, timeZone)}
        </div>
      </div>
    </>
  );
}

/** Online / offline since 10:42 with 7 events waiting / syncing, and the sync log of refused events. */
function OfflineBar({ timeZone }: { timeZone: string }) {
  const s = useOfflineState();
  const [showLog, setShowLog] = useState(false);
  if (!s.available) {
    return (
      <Alert color="yellow" title="Offline mode is unavailable">
        {s.why}
      </Alert>
    );
  }
  const text = s.syncing
    ? `Syncing… ${s.waiting} ${s.waiting === 1 ? 'event' : 'events'} waiting`
    : s.online
      ? s.waiting > 0
        ? `Online · ${s.waiting} ${s.waiting === 1 ? 'event' : 'events'} waiting`
        : 'Online'
      : `Offline since ${s.offlineSince ? formatTime(s.offlineSince, timeZone) : 'a moment ago'} · ${s.waiting} ${s.waiting === 1 ? 'event' : 'events'} waiting`;
  return (
    <Stack gap={4}>
      <Group gap="sm" role="status" aria-label="Connection" data-online={s.online} data-waiting={s.waiting}>
        <Badge size="lg" color={s.syncing ? 'blue' : s.online ? 'teal' : 'orange'}>
          {text}
        </Badge>
        <Text size="sm" c="dimmed">
          {s.copyAt ? `Ready offline (copy of ${formatTime(s.copyAt, timeZone)})` : 'No offline copy yet'}
        </Text>
        {s.log.length > 0 ? (
          <Button size="compact-sm" variant="subtle" onClick={() => setShowLog((x) => !x)}>
            Sync log ({s.log.length})
          </Button>
        ) : null}
      </Group>
      {showLog ? (
        <Paper withBorder p="sm" aria-label="Sync log">
          <Stack gap={2}>
            {s.log.map((l) => (
              <Text key={l.key} size="sm">
                {formatTime(l.eventAt, timeZone)} {l.kind === 'sign_in' ? 'sign-in' : 'sign-out'} of {l.label}: {l.status === 'refused' ? 'refused' : 'resolved'} — {l.reason ?? l.code}
              </Text>
            ))}
          </Stack>
        </Paper>
      ) : null}
    </Stack>
  );
}
