"""
Independent PyTorch updates of bc, td3bc and om2p at om2p-bench's cpu preset, for `bench algos --network-preset cpu` to be read
against (issue 12: every update within 2x of PyTorch on one core). Same networks, batch and update order as the harness:
3 learned agents of simple_spread (obs 18, act 2), 2x64 hidden layers, batch 256, Adam(3e-4, eps 1e-8).
  bc     tanh-output ReLU policy, MSE to the dataset action.
  td3bc  ReLU actor and twin critics with targets, policy smoothing, delayed actor step every 2nd update (CORL's td3_bc.py).
  om2p   GELU mean-flow actor u(o, x, r, t); twin GELU+LayerNorm critics with a target; the actor steps first against the
         pre-step critic (mean-flow loss with a forward-difference target plus the normalised Q term of the one-step
         action), then Polyak from the pre-step critic, then the critic step (algorithms/nn/flow-common.ts).
Run on one thread: `OPENBLAS_NUM_THREADS=1 python3 bench/pytorch/update_speed.py` (Debian: apt-get install python3-torch
libopenblas0-pthread; without OpenBLAS, Debian's reference BLAS makes every product ~14x slower).
Prints the median and the mean ms per 3-agent update over whole cycles (td3bc's two updates differ in work).
"""
import copy
import statistics
import sys
import time

import torch

torch.set_num_threads(1)
torch.manual_seed(0)
AGENTS, OBS, ACT, BATCH, HIDDEN, LR = 3, 18, 2, 256, 64, 3e-4


def mlp(inputs, outputs, act=torch.nn.ReLU, layer_norm=False, out=None):
    layers, width = [], inputs
    for _ in range(2):
        layers += [torch.nn.Linear(width, HIDDEN), act()] + ([torch.nn.LayerNorm(HIDDEN, eps=1e-6)] if layer_norm else [])
        width = HIDDEN
    layers.append(torch.nn.Linear(width, outputs))
    return torch.nn.Sequential(*layers, *([out()] if out else []))


def adam(params):
    return torch.optim.Adam(params, lr=LR, eps=1e-8)


def polyak(target, source, rate=0.005):
    with torch.no_grad():
        for t, s in zip(target.parameters(), source.parameters()):
            t.mul_(1 - rate).add_(s, alpha=rate)


class Bc:
    def __init__(self):
        self.pi = mlp(OBS, ACT, out=torch.nn.Tanh)
        self.opt = adam(self.pi.parameters())

    def update(self, o, a, r, o2, d):
        loss = ((self.pi(o) - a) ** 2).mean()
        self.opt.zero_grad()
        loss.backward()
        self.opt.step()


class Td3Bc:
    def __init__(self):
        self.actor = mlp(OBS, ACT, out=torch.nn.Tanh)
        self.actor_target = copy.deepcopy(self.actor)
        self.q = torch.nn.ModuleList([mlp(OBS + ACT, 1) for _ in range(2)])
        self.q_target = copy.deepcopy(self.q)
        self.actor_opt, self.q_opt = adam(self.actor.parameters()), adam(self.q.parameters())
        self.mean, self.scale, self.updates = torch.zeros(1, OBS), torch.ones(1, OBS) + 1e-3, 0

    def update(self, o, a, r, o2, d):
        o, o2 = (o - self.mean) / self.scale, (o2 - self.mean) / self.scale
        with torch.no_grad():
            noise = (torch.randn(BATCH, ACT) * 0.2).clamp(-0.5, 0.5)
            x2 = torch.cat([o2, (self.actor_target(o2) + noise).clamp(-1, 1)], 1)
            y = r + 0.99 * (1 - d) * torch.min(self.q_target[0](x2), self.q_target[1](x2))
        x = torch.cat([o, a], 1)
        loss = sum(((q(x) - y) ** 2).mean() for q in self.q)
        self.q_opt.zero_grad()
        loss.backward()
        self.q_opt.step()
        if self.updates % 2 == 0:
            pi = self.actor(o)
            q1 = self.q[0](torch.cat([o, pi], 1))
            actor_loss = -2.5 / q1.abs().mean().detach() * q1.mean() + ((pi - a) ** 2).mean()
            grads = torch.autograd.grad(actor_loss, list(self.actor.parameters()))
            for p, g in zip(self.actor.parameters(), grads):
                p.grad = g
            self.actor_opt.step()
            polyak(self.actor_target, self.actor)
            polyak(self.q_target, self.q)
        self.updates += 1


class TanhGelu(torch.nn.GELU):
    def __init__(self):
        super().__init__(approximate='tanh')


class Om2p:
    def __init__(self, eta=0.1, h=1e-3):
        self.u = mlp(OBS + ACT + 2, ACT, act=TanhGelu)
        self.q = torch.nn.ModuleList([mlp(OBS + ACT, 1, act=TanhGelu, layer_norm=True) for _ in range(2)])
        self.q_target = copy.deepcopy(self.q)
        self.actor_opt, self.q_opt = adam(self.u.parameters()), adam(self.q.parameters())
        self.eta, self.h = eta, h

    def one_step(self, o, noise):
        return noise + self.u(torch.cat([o, noise, torch.zeros(len(o), 1), torch.ones(len(o), 1)], 1))

    def q_bar(self, heads, o, a):
        x = torch.cat([o, a], 1)
        return (heads[0](x) + heads[1](x)) / 2

    def update(self, o, a, r, o2, d):
        with torch.no_grad():
            a2 = self.one_step(o2, torch.randn(BATCH, ACT)).clamp(-1, 1)
            y = r + 0.99 * (1 - d) * self.q_bar(self.q_target, o2, a2)
        # times: r = min(0.2 Exp, 1), t = 1 - min(0.2 Exp, 1), sorted so that r <= t
        e = torch.distributions.Exponential(1.0)
        s, t = (0.2 * e.sample((BATCH, 1))).clamp(max=1), 1 - (0.2 * e.sample((BATCH, 1))).clamp(max=1)
        r_, t_ = torch.minimum(s, t), torch.maximum(s, t)
        eps = torch.randn(BATCH, ACT)
        v = a - eps
        point = torch.cat([o, (1 - r_) * eps + r_ * a, r_, t_], 1)
        tangent = torch.cat([torch.zeros(BATCH, OBS), v, torch.ones(BATCH, 1), torch.zeros(BATCH, 1)], 1)
        noise = torch.randn(BATCH, ACT)
        one_step_input = torch.cat([o, noise, torch.zeros(BATCH, 1), torch.ones(BATCH, 1)], 1)
        both = self.u(torch.cat([point, one_step_input], 0))
        u, u_one = both[:BATCH], both[BATCH:]
        with torch.no_grad():
            target = v + (t_ - r_) * (self.u(point + self.h * tangent) - u) / self.h
        q_bar = self.q_bar(self.q, o, (noise + u_one).clamp(-1, 1))
        actor_loss = ((u - target) ** 2).mean() - self.eta * q_bar.mean() / q_bar.abs().mean().detach()
        grads = torch.autograd.grad(actor_loss, list(self.u.parameters()))
        for p, g in zip(self.u.parameters(), grads):
            p.grad = g
        self.actor_opt.step()
        polyak(self.q_target, self.q)
        x = torch.cat([o, a], 1)
        critic_loss = sum(((q(x) - y) ** 2).mean() for q in self.q) / 2
        self.q_opt.zero_grad()
        critic_loss.backward()
        self.q_opt.step()


def main(names):
    batch = [(torch.rand(BATCH, OBS) * 2 - 1, torch.rand(BATCH, ACT) * 2 - 1, torch.randn(BATCH, 1),
              torch.rand(BATCH, OBS) * 2 - 1, (torch.rand(BATCH, 1) < 1 / 25).float()) for _ in range(AGENTS)]
    for name in names:
        agents = [{'bc': Bc, 'td3bc': Td3Bc, 'om2p': Om2p}[name]() for _ in range(AGENTS)]
        cycle = 2 if name == 'td3bc' else 1

        def run_cycle():
            for _ in range(cycle):
                for i, agent in enumerate(agents):
                    agent.update(*batch[i])

        end = time.perf_counter() + 1
        while time.perf_counter() < end:
            run_cycle()
        times = []
        for _ in range(max(1, 200 // cycle)):
            start = time.perf_counter()
            run_cycle()
            times.append((time.perf_counter() - start) * 1e3 / cycle)
        print(f'{name}: median {statistics.median(times):.2f} ms, mean {statistics.mean(times):.2f} ms per 3-agent update')


if __name__ == '__main__':
    main(sys.argv[1:] or ['bc', 'td3bc', 'om2p'])
