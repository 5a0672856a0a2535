//! The 17 Sustainable Development Goals, with their official Japanese short names.

/// Japanese short names of SDG goals 1–17 (index 0 = goal 1).
pub const GOALS: [&str; 17] = [
    "貧困をなくそう",
    "飢餓をゼロに",
    "すべての人に健康と福祉を",
    "質の高い教育をみんなに",
    "ジェンダー平等を実現しよう",
    "安全な水とトイレを世界中に",
    "エネルギーをみんなに そしてクリーンに",
    "働きがいも経済成長も",
    "産業と技術革新の基盤をつくろう",
    "人や国の不平等をなくそう",
    "住み続けられるまちづくりを",
    "つくる責任 つかう責任",
    "気候変動に具体的な対策を",
    "海の豊かさを守ろう",
    "陸の豊かさも守ろう",
    "平和と公正をすべての人に",
    "パートナーシップで目標を達成しよう",
];

/// The name of goal `n` (1–17).
pub fn goal_name(n: u8) -> &'static str {
    GOALS.get(usize::from(n).wrapping_sub(1)).copied().unwrap_or("")
}

#[cfg(test)]
mod tests {
    #[test]
    fn goal_names() {
        assert_eq!(super::goal_name(4), "質の高い教育をみんなに");
        assert_eq!(super::goal_name(17), "パートナーシップで目標を達成しよう");
        assert_eq!(super::goal_name(0), "");
        assert_eq!(super::goal_name(18), "");
    }
}
